package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lrfinder.TestPaths;
import dev.lrfinder.model.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keras_metadata.pb files written by tools/fixtures/make_metadata_fixtures.py (tf_keras 2.18). */
class KerasMetadataTest {
  @TempDir Path dir;

  private KerasMetadata read(String fixture) throws IOException {
    Files.copy(TestPaths.fixture("keras_metadata").resolve(fixture + ".pb"),
        dir.resolve(KerasMetadata.FILE));
    return KerasMetadata.read(dir);
  }

  @Test
  void compiledWithAStringLoss() throws IOException {
    KerasMetadata m = read("compiled_string");
    assertEquals("Sequential", m.modelClass());
    assertEquals("2.18.0", m.kerasVersion());
    assertEquals(List.of("Dense"), m.layerClasses());
    assertEquals(List.of(), m.regularizedLayers());
    JsonNode training = m.trainingConfig().orElseThrow();
    assertEquals(new KerasLoss("sparse_categorical_crossentropy", false, "training_config"),
        KerasLoss.fromTrainingConfig(training.get("loss")));
    // Saved before training, "accuracy" was serialized with fn categorical_accuracy.
    assertEquals("categorical_accuracy",
        training.get("metrics").get(0).get(0).get("config").get("fn").asText());
    assertEquals(List.of(new KerasMetric("accuracy", KerasMetric.ACCURACY)),
        KerasMetric.fromTrainingConfig(training.get("metrics")));
  }

  @Test
  void compiledWithLossAndMetricObjects() throws IOException {
    KerasMetadata m = read("compiled_object");
    assertEquals("Functional", m.modelClass());
    assertEquals(List.of("InputLayer", "Dense"), m.layerClasses());
    JsonNode training = m.trainingConfig().orElseThrow();
    KerasLoss loss = KerasLoss.fromTrainingConfig(training.get("loss"));
    assertTrue(loss.fromLogits());
    assertEquals("sparse_categorical_crossentropy (from_logits) from training_config",
        loss.describe());
    assertEquals(List.of(new KerasMetric("sparse_categorical_accuracy",
            "sparse_categorical_accuracy"), new KerasMetric("mae", "mean_absolute_error")),
        KerasMetric.fromTrainingConfig(training.get("metrics")));
    assertEquals("Adam", training.get("optimizer_config").get("config").get("name").asText());
  }

  @Test
  void uncompiledHasNoTrainingConfig() throws IOException {
    KerasMetadata m = read("uncompiled");
    assertFalse(m.trainingConfig().isPresent());
    assertEquals(List.of("Dense"), m.layerClasses());
  }

  @Test
  void namesRegularizedLayers() throws IOException {
    KerasMetadata m = read("regularized");
    assertEquals(List.of("Dense", "Dropout"), m.layerClasses());
    assertEquals(List.of("l2_dense", "active"), m.regularizedLayers());
    assertEquals(1, m.weightRegularizers().size());
    KerasMetadata.WeightRegularizer l2 = m.weightRegularizers().get(0);
    assertEquals("l2_dense", l2.layer());
    assertEquals("kernel", l2.weight());
    assertEquals("L2", l2.serialized().path("class_name").asText());
    assertEquals(List.of("active"), m.activityRegularized());
  }

  @Test
  void aFileWithoutRootMetadataIsRefused() throws IOException {
    // One node (field 1) holding only node_path (field 3) "layer".
    Files.write(dir.resolve(KerasMetadata.FILE), new byte[] {10, 7, 26, 5, 'l', 'a', 'y', 'e', 'r'});
    ModelException e = assertThrows(ModelException.class, () -> KerasMetadata.read(dir));
    assertTrue(e.getMessage().endsWith("it has no metadata for the root node"), e.getMessage());
  }

  @Test
  void missingFileIsNotAKeras2Model() {
    ModelException e = assertThrows(ModelException.class, () -> KerasMetadata.read(dir));
    assertEquals("'" + dir + "' has no keras_metadata.pb: it is not a Keras 2 SavedModel",
        e.getMessage());
  }

  @Test
  void corruptFilesAreRefused() throws IOException {
    Path file = dir.resolve(KerasMetadata.FILE);
    byte[] good = Files.readAllBytes(TestPaths.fixture("keras_metadata/compiled_string.pb"));
    for (byte[] bad : List.of(new byte[] {10, 100, 1}, "not a proto".getBytes(),
        java.util.Arrays.copyOf(good, good.length / 2))) {
      Files.write(file, bad);
      ModelException e = assertThrows(ModelException.class, () -> KerasMetadata.read(dir));
      assertEquals("'" + file + "' is not a valid Keras metadata file: it is truncated or corrupt",
          e.getMessage());
    }
  }
}
