package dev.lrfinder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.LiveKeras;
import dev.lrfinder.TestFiles;
import dev.lrfinder.TestPaths;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.schedule.Schedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code train --save}: the trained model written as a new SavedModel of the same kind. Java loads
 * the copy and must evaluate exactly as the trained model did (bit for bit: the same kernels on
 * the same values), not as the source does; Python loads it with TensorFlow (the exported path's
 * {@code evaluate} signature) or tf_keras (the direct path's Keras 2 SavedModel) and must agree
 * to 1e-5 relative (another graph of the same float32 kernels: last-bit differences only).
 */
class SavedModelSaverTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({"blobs_mlp, exported, sgd", "keras2/blobs_mlp, tf_keras, sgd"})
  void savedModelEvaluatesAsTheTrainedOne(String name, String kind, String optimizer)
      throws IOException {
    Path source = TestPaths.model(name);
    Path data = TestPaths.root().resolve("savedmodels").resolve(name + ".npz");
    Path temp = TestPaths.root().resolve("target/lab-saved").resolve(kind);
    TestFiles.deleteTree(temp);
    Files.createDirectories(temp);
    Path saved = temp.resolve("trained");
    Map<String, Double> trained;
    Map<String, Double> original;
    byte[] sourceIndex = Files.readAllBytes(source.resolve("variables/variables.index"));
    try (TrainableModel model = ModelLoader.load(source, DirectOptions.defaults())) {
      var splits = DataFile.load(data, model.layout(), "label", MemoryBudget.heap());
      var train = model.conform(splits.train());
      var test = model.conform(splits.test().orElseThrow());
      original = Evaluation.of(model, test, 32);
      new EpochTrainer(TrainingConfig.of(optimizer, 2).withSchedule(Schedule.constant(0.01)))
          .run(model, train, test);
      trained = Evaluation.of(model, test, 32);
      int entries = SavedModelSaver.save(model, source, saved);
      assertTrue(entries >= 4, "the weights at least took the trained values: " + entries);
      try (TrainableModel reloaded = ModelLoader.load(saved, DirectOptions.defaults())) {
        assertEquals(trained, Evaluation.of(reloaded, test, 32), "Java reloads the trained model");
      }
    }
    assertNotEquals(original, trained, "training changed the model");
    assertTrue(java.util.Arrays.equals(sourceIndex,
        Files.readAllBytes(source.resolve("variables/variables.index"))), "source untouched");
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(1, left.count(), "no staging directory left beside the saved model");
    }
    assertThrows(IllegalArgumentException.class,
        () -> SavedModelSaver.checkTarget(source, saved), "never over a model");
    assertThrows(IllegalArgumentException.class,
        () -> SavedModelSaver.checkTarget(source, source.resolve("inside")), "never inside");

    Optional<Path> out = LiveKeras.generate("lab-saved-" + kind, "evaluate_saved.py", kind,
        saved.toString(), data.toString());
    if (out.isEmpty()) {
      return; // no venv: the Java half above still ran
    }
    JsonNode python = new ObjectMapper().readTree(out.get().resolve("eval.json").toFile());
    for (String key : new String[] {"loss", "accuracy"}) {
      double expected = python.get(key).asDouble();
      double relative = Math.abs(trained.get(key) - expected) / Math.abs(expected);
      assertTrue(relative <= 1e-5, kind + " " + key + ": Java " + trained.get(key) + ", Python "
          + expected);
    }
  }
}
