package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.suggest.Suggestion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> values = new ArrayList<>();
    array.forEach(v -> values.add(v.isNull() ? Double.NaN : v.doubleValue()));
    return values;
  }

  private static void assertSameDoubles(List<Double> expected, List<Double> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), actual.get(i), what + "[" + i + "]");
    }
  }

  @Test
  void theFileParsesAndGivesBackEveryCurveExactly() throws IOException {
    ReportInput input = Fixtures.threeOptimizers();
    Path written = new ReportWriter().write(input, dir, null);

    JsonNode root = MAPPER.readTree(written.resolve("result.json").toFile());

    JsonNode optimizers = root.get("optimizers");
    assertEquals(3, optimizers.size());
    for (int i = 0; i < 3; i++) {
      OptimizerCurve curve = input.result().curves().get(i);
      JsonNode node = optimizers.get(i);
      assertEquals(curve.optimizer(), node.get("optimizer").asText());
      assertSameDoubles(curve.learningRates(), doubles(node.get("lr")), "lr");
      assertSameDoubles(curve.losses(), doubles(node.get("loss")), "loss");
      assertSameDoubles(curve.trainLosses(), doubles(node.get("train_loss")), "train_loss");
      assertSameDoubles(curve.smoothedLosses(), doubles(node.get("smoothed")), "smoothed");
      assertEquals(curve.stopReason().name(), node.get("stop_reason").asText());
      assertEquals(curve.stopReason().description(), node.get("stop_description").asText());
      assertEquals(curve.stepsRun(), node.get("steps_run").asInt());
      assertEquals(curve.bestSmoothedLoss(), node.get("best_smoothed_loss").doubleValue());
      List<Suggestion> suggestions = input.suggestionsFor(curve.optimizer());
      assertEquals(suggestions.size(), node.get("suggestions").size());
      for (int s = 0; s < suggestions.size(); s++) {
        JsonNode item = node.get("suggestions").get(s);
        assertEquals(suggestions.get(s).rule(), item.get("rule").asText());
        assertEquals(suggestions.get(s).note(), item.get("note").asText());
        if (suggestions.get(s).found()) {
          assertEquals(suggestions.get(s).learningRate(), item.get("lr").doubleValue());
        } else {
          assertTrue(item.get("lr").isNull());
        }
      }
    }
    assertEquals(ResultJson.toJson(input) + "\n", Files.readString(written.resolve("result.json")));
  }

  @Test
  void keysComeInTheDocumentedOrder() throws IOException {
    JsonNode root = MAPPER.readTree(ResultJson.toJson(Fixtures.threeOptimizers()));

    assertEquals(List.of("lrfinder_report_version", "model", "data", "config", "planned_steps",
        "steps_per_epoch", "environment", "warnings", "optimizers"), fieldNames(root));
    assertEquals(1, root.get("lrfinder_report_version").asInt());
    assertEquals(List.of("optimizer", "stop_reason", "stop_description", "steps_run",
        "planned_steps", "best_smoothed_loss", "seconds", "seconds_in_model", "lr", "loss",
        "train_loss", "smoothed", "suggestions", "descent"),
        fieldNames(root.get("optimizers").get(0)));
    assertEquals(List.of("loss_fell", "start", "lowest", "threshold", "noise", "note"),
        fieldNames(root.get("optimizers").get(0).get("descent")));
    assertEquals(List.of("rule", "lr", "note"),
        fieldNames(root.get("optimizers").get(0).get("suggestions").get(0)));
    assertEquals(List.of("tensorflow", "java", "created_at", "command"),
        fieldNames(root.get("environment")));
    assertEquals(List.of("file", "train_rows"), fieldNames(root.get("data")));
  }

  @Test
  void settingsModelAndEnvironmentAreRecorded() throws IOException {
    ReportInput input = Fixtures.threeOptimizers();
    JsonNode root = MAPPER.readTree(ResultJson.toJson(input));

    JsonNode config = root.get("config");
    RangeTestConfig expected = input.result().config();
    assertEquals(expected.startLr(), config.get("start_lr").doubleValue());
    assertEquals(expected.endLr(), config.get("end_lr").doubleValue());
    assertEquals("STEPS", config.get("budget").get("kind").asText());
    assertEquals(100, config.get("budget").get("value").asLong());
    assertEquals("EXPONENTIAL", config.get("schedule").asText());
    assertEquals(0.98, config.get("beta").doubleValue());
    assertEquals(4.0, config.get("stop_factor").doubleValue());
    assertEquals(10, config.get("skip_begin").asInt());
    assertEquals(1, config.get("skip_end").asInt());
    assertEquals(64, config.get("batch_size").asInt());
    assertTrue(config.get("shuffle").asBoolean());
    assertEquals(0, config.get("seed").asLong());
    assertEquals(0, config.get("validation_batches").asInt());
    assertTrue(config.get("optimizers").isArray());
    assertEquals(100, root.get("planned_steps").asLong());
    assertEquals(938, root.get("steps_per_epoch").asLong());
    assertEquals(60_000, root.get("data").get("train_rows").asLong());

    JsonNode model = root.get("model");
    assertEquals("mnist_cnn", model.get("name").asText());
    assertTrue(Path.of(model.get("directory").asText()).isAbsolute());
    assertTrue(model.get("input").get("shape").get(0).isNull(), "batch dimension is null");
    assertEquals(28, model.get("input").get("shape").get(1).asInt());
    assertEquals("uint8", model.get("input").get("dtype").asText());
    assertEquals("sparse_categorical_crossentropy", model.get("loss").asText());
    assertEquals(0.9, model.get("optimizers").get(0).get("config").get("beta_1").doubleValue());

    assertEquals("2025-03-04T05:06:07.891Z", root.get("environment").get("created_at").asText());
    assertEquals("2.18.0", root.get("environment").get("tensorflow").asText());
    assertEquals(input.command(), root.get("environment").get("command").asText());
  }

  @Test
  void nanAndInfinityBecomeNull() throws IOException {
    double[] lrs = {1e-3, 1e-2, 1e-1};
    OptimizerCurve curve = new OptimizerCurve("adam", Fixtures.boxed(lrs),
        Fixtures.boxed(new double[] {1, Double.POSITIVE_INFINITY, 2}),
        Fixtures.boxed(new double[] {Double.NaN, 1, Double.NEGATIVE_INFINITY}),
        Fixtures.boxed(new double[] {1, Double.NaN, Double.NaN}), StopReason.NON_FINITE_LOSS, 3,
        Double.NaN, Double.POSITIVE_INFINITY, 0);
    ReportInput input = Fixtures.input("m", Fixtures.config(), List.of(curve),
        Map.of("adam", List.of(Suggestion.none("steep", "no curve"))));

    String json = ResultJson.toJson(input);

    assertFalse(json.matches("(?s).*[:\\[,]\\s*\"?-?(NaN|Infinity).*"), json);
    JsonNode node = MAPPER.readTree(json).get("optimizers").get(0);
    assertTrue(node.get("best_smoothed_loss").isNull());
    assertTrue(node.get("seconds").isNull());
    assertTrue(node.get("train_loss").get(1).isNull());
    assertTrue(node.get("loss").get(0).isNull());
    assertTrue(node.get("loss").get(2).isNull());
    assertEquals(1.0, node.get("smoothed").get(0).doubleValue());
    assertTrue(node.get("smoothed").get(1).isNull());
    assertTrue(node.get("suggestions").get(0).get("lr").isNull());
    assertEquals("no curve", node.get("suggestions").get(0).get("note").asText());
  }
}
