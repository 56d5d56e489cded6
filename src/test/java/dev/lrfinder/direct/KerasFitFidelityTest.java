package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.optim.OptimizerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The direct path against Keras's own training: for each Keras 2 fixture model and optimizer,
 * scripts/make_direct_fixtures.py recorded 20 {@code train_on_batch} steps (the train function of
 * {@code fit}) on the first 20 batches of 32 rows, from the saved weights. Java loads the same
 * SavedModel without any training signature, builds the training graph itself and must report the
 * same loss and metrics at every step and end with the same variables (BatchNorm statistics
 * included), to {@value #TOLERANCE} relative.
 */
class KerasFitFidelityTest {
  private static final double TOLERANCE = 1e-5;
  private static final List<String> MODELS = List.of("mlp", "mlp_l2", "cnn_bn", "embedding",
      "regression");
  /**
   * Variables whose gradient is zero in exact arithmetic: a bias right before BatchNorm, whose
   * batch mean subtraction cancels it. Its float gradient is rounding noise (about 1e-9), which
   * Adagrad and RMSprop divide by the root of its own tiny square sum and so turn into full-size
   * steps; two correct implementations then drift apart in that variable alone. They are held to
   * {@value #NOISE_TOLERANCE} relative; the loss and every other variable to {@value #TOLERANCE}.
   */
  private static final Map<String, String> NOISE_DRIVEN = Map.of("cnn_bn", "conv2d/bias");
  private static final double NOISE_TOLERANCE = 1e-3;

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (String model : MODELS) {
      JsonNode fixture = fixture(model);
      fixture.get("cases").fieldNames().forEachRemaining(c -> cases.add(Arguments.of(model, c)));
    }
    return cases.stream();
  }

  private static JsonNode fixture(String model) throws IOException {
    return new ObjectMapper().readTree(
        TestPaths.fixture("keras2").resolve(model + "_fit.json").toFile());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  @SuppressWarnings("unchecked")
  void twentyStepsEqualKerasFit(String modelName, String caseName) throws IOException {
    JsonNode fixture = fixture(modelName);
    JsonNode expected = fixture.get("cases").get(caseName);
    OptimizerConfig config = OptimizerConfig.fromKeras(
        new ObjectMapper().convertValue(expected.get("optimizer"), Map.class));
    Path dir = TestPaths.fixture("keras2").resolve(fixture.get("model").asText());
    Path data = TestPaths.fixture("keras2").resolve(fixture.get("data").asText());
    try (DirectModel model = DirectModel.load(dir,
        DirectOptions.withOptimizers(Map.of(caseName, config)))) {
      Dataset train = model.conform(Dataset.load(data, "train", "label"));
      List<Batch> batches = Batches.sequential(train, fixture.get("batch_size").asInt());
      double worstLoss = 0;
      double worstMetric = 0;
      for (int step = 0; step < fixture.get("steps").asInt(); step++) {
        StepResult result = model.trainStep(caseName, batches.get(step));
        double want = expected.get("losses").get(step).asDouble();
        worstLoss = Math.max(worstLoss, relative(result.loss(), want));
        for (var metric : (Iterable<Map.Entry<String, JsonNode>>) expected.get("metrics")::fields) {
          double got = result.metrics().get(metric.getKey());
          worstMetric = Math.max(worstMetric,
              Math.abs(got - metric.getValue().get(step).asDouble()));
        }
      }
      double worstVariable = 0;
      String worstName = "-";
      double worstNoise = 0;
      ModelSnapshot.InMemory after = (ModelSnapshot.InMemory) model.snapshot();
      var finals = expected.get("final_variables");
      for (var entry : (Iterable<Map.Entry<String, JsonNode>>) finals::fields) {
        int index = after.variableNames().indexOf(entry.getKey());
        assertTrue(index >= 0, "no variable " + entry.getKey() + " in " + after.variableNames());
        HostArray actual = after.values().get(index);
        JsonNode values = entry.getValue().get("values");
        assertEquals(values.size(), actual.elementCount(), entry.getKey());
        double scale = 0;
        for (JsonNode v : values) {
          scale = Math.max(scale, Math.abs(v.asDouble()));
        }
        for (int i = 0; i < values.size(); i++) {
          double diff = Math.abs(actual.getDouble(i) - values.get(i).asDouble());
          double rel = diff / Math.max(scale, 1e-12);
          if (entry.getKey().equals(NOISE_DRIVEN.get(modelName))) {
            assertTrue(rel <= NOISE_TOLERANCE, entry.getKey() + " differs by " + rel);
            worstNoise = Math.max(worstNoise, rel);
          } else if (rel > worstVariable) {
            worstVariable = rel;
            worstName = entry.getKey();
          }
        }
      }
      System.out.printf("fidelity %-10s %-13s loss %.2e  metrics %.2e  variables %.2e (%s)"
          + "  noise-driven %.2e%n", modelName, caseName, worstLoss, worstMetric, worstVariable,
          worstName, worstNoise);
      assertTrue(worstLoss <= TOLERANCE, "loss differs by " + worstLoss + " relative");
      assertTrue(worstMetric <= 1e-6, "metric differs by " + worstMetric);
      assertTrue(worstVariable <= TOLERANCE, "variables differ by " + worstVariable
          + " relative to their largest magnitude");
    }
  }

  private static double relative(double actual, double expected) {
    return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
  }
}
