package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.DType;
import dev.lrfinder.model.LabelValues;
import java.util.List;
import org.junit.jupiter.api.Test;

class KerasLossTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static KerasLoss config(String json) throws Exception {
    return KerasLoss.fromTrainingConfig(JSON.readTree(json));
  }

  private static String refusal(String json) {
    return assertThrows(IllegalArgumentException.class, () -> config(json)).getMessage();
  }

  @Test
  void readsNamesAliasesAndObjects() throws Exception {
    assertEquals("mean_squared_error", config("\"mse\"").name());
    assertEquals("mean_absolute_error", config("[\"MAE\"]").name());
    assertEquals("binary_crossentropy", config("\"BinaryCrossentropy\"").name());
    KerasLoss logits = config("{\"class_name\": \"CategoricalCrossentropy\", \"config\": {"
        + "\"reduction\": \"auto\", \"name\": \"categorical_crossentropy\", \"from_logits\": true,"
        + " \"label_smoothing\": 0.0, \"axis\": -1, \"fn\": \"categorical_crossentropy\"}}");
    assertEquals(new KerasLoss("categorical_crossentropy", true, "training_config"), logits);
    assertFalse(config("{\"class_name\": \"MeanSquaredError\", \"config\": {"
        + "\"reduction\": \"sum_over_batch_size\"}}").fromLogits());
  }

  @Test
  void refusesWhatItCannotReproduce() {
    for (String perOutput : List.of("[\"mse\", \"mae\"]", "{\"out_a\": \"mse\"}")) {
      // Not a loss --loss could replace: the loader says to export the model instead.
      assertTrue(assertThrows(UnsupportedModelException.class, () -> config(perOutput))
          .getMessage().contains("one loss per output"));
    }
    assertTrue(refusal("\"huber\"").startsWith("Unsupported loss \"huber\"; accepted are"));
    assertTrue(refusal("{\"class_name\": \"MeanSquaredError\", \"config\": {\"reduction\":"
        + " \"sum\"}}").contains("reduction \"sum\""));
    assertTrue(refusal("{\"class_name\": \"BinaryCrossentropy\", \"config\": "
        + "{\"label_smoothing\": 0.1}}").contains("label_smoothing=0.1"));
    assertTrue(refusal("{\"class_name\": \"SparseCategoricalCrossentropy\", \"config\": "
        + "{\"ignore_class\": 255}}").contains("ignore_class=255"));
    assertTrue(refusal("{\"class_name\": \"MeanSquaredError\", \"config\": {\"delta\": 1}}")
        .contains("Unknown MeanSquaredError option \"delta\""));
    assertTrue(refusal("null").contains("without a loss"));
  }

  @Test
  void parsesTheLossOption() {
    KerasLoss loss = KerasLoss.parse("sparse_categorical_crossentropy:from_logits");
    assertTrue(loss.fromLogits());
    assertEquals("sparse_categorical_crossentropy (from_logits) from --loss", loss.describe());
    assertEquals("mean_squared_error from --loss", KerasLoss.parse("mse").describe());
    String message = assertThrows(IllegalArgumentException.class,
        () -> KerasLoss.parse("mse:from_logits")).getMessage();
    assertTrue(message.startsWith("Unknown --loss \"mse:from_logits\"; accepted are "
        + "sparse_categorical_crossentropy, categorical_crossentropy"), message);
    assertThrows(IllegalArgumentException.class, () -> KerasLoss.parse("hinge"));
  }

  @Test
  void labelSpecsSayWhichValuesEachLossTakes() {
    long[] output = {-1, 10};
    assertEquals(new LabelValues(LabelValues.Kind.CLASS_IDS, 10, "sparse_categorical_crossentropy"),
        KerasLoss.parse("sparse_categorical_crossentropy").labelSpec(output).values());
    assertEquals(LabelValues.Kind.PROBABILITIES,
        KerasLoss.parse("categorical_crossentropy").labelSpec(output).values().kind());
    assertEquals(LabelValues.Kind.PROBABILITIES,
        KerasLoss.parse("bce").labelSpec(new long[] {-1, 1}).values().kind());
    assertEquals(LabelValues.ANY, KerasLoss.parse("mse").labelSpec(output).values());
  }

  @Test
  void labelSpecs() {
    long[] output = {-1, 10};
    assertEquals(DType.INT32, KerasLoss.parse("sparse_categorical_crossentropy")
        .labelSpec(output).dtype());
    assertArrayEquals(new long[] {-1}, KerasLoss.parse("sparse_categorical_crossentropy")
        .labelSpec(output).shape());
    assertEquals(DType.FLOAT32, KerasLoss.parse("binary_crossentropy").labelSpec(output).dtype());
    assertArrayEquals(output, KerasLoss.parse("mae").labelSpec(output).shape());
  }
}
