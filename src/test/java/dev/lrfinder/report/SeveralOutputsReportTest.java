package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.DType;
import dev.lrfinder.model.LabelValues;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OutputSpec;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StopReason;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** result.json, curves.csv and the HTML report of a model with several outputs. */
class SeveralOutputsReportTest {
  private static final String NOTE = "metric 'auc' is left out: it keeps state between batches";

  private static ReportInput input() {
    long[] one = {-1, 1};
    OutputSpec age = new OutputSpec("age", one, new TensorSpec("y_age", "age", DType.FLOAT32, one,
        LabelValues.ANY), "mean_squared_error", Map.of(), 1.0, List.of("age_mae"));
    OutputSpec gender = new OutputSpec("gender", one, new TensorSpec("y_gender", "gender",
        DType.FLOAT32, one, LabelValues.ANY), "binary_crossentropy", Map.of(), 0.5,
        List.of("gender_accuracy")).withOutputShape(one);
    ModelContract base = Fixtures.contract("people", List.of("adam"));
    ModelContract contract = new ModelContract(2, "people", "people.h5", 58, 58,
        List.of(new TensorSpec("x", "features", DType.FLOAT32, new long[] {-1, 4},
            LabelValues.ANY)), List.of(age, gender), List.of("age_mae", "gender_accuracy"),
        List.of(NOTE), base.optimizers(), "tf_keras 2.18.0", "2.18.1", "2.18.0");
    Map<String, List<Double>> own = new LinkedHashMap<>();
    own.put("age", List.of(2.0, 1.5, 1.0));
    own.put("gender", List.of(0.8, 0.6, 0.4));
    List<Double> total = List.of(2.4, 1.8, 1.2);
    OptimizerCurve curve = new OptimizerCurve("adam", List.of(1e-3, 1e-2, 1e-1), total, total,
        total, StopReason.END_OF_RANGE, 3, 1.2, 0.1, 0.1, own);
    RangeTestConfig config = Fixtures.config();
    return new ReportInput(null, null, contract, "exported: training contract v2",
        new RangeTestResult(config, 3, 10, 640, List.of(curve)), Map.of("adam", List.of()),
        "2.18.0", "17", Fixtures.CREATED, "lrfinder find people");
  }

  @Test
  void curvesCsvHasAColumnPerOutputLoss() {
    List<String> lines = CurvesCsv.render(input()).lines().toList();

    assertEquals(CurvesCsv.HEADER + ",age_loss,gender_loss", lines.get(0));
    assertEquals("adam,1,0.01,1.8,1.8,1.8,1.5,0.6", lines.get(2));
  }

  @Test
  void resultJsonListsTheOutputsAndEachOptimizersOutputLosses() throws IOException {
    JsonNode root = new ObjectMapper().readTree(ResultJson.toJson(input()));

    JsonNode model = root.get("model");
    assertFalse(model.has("input"));
    assertEquals("features", model.get("inputs").get(0).get("key").asText());
    assertEquals(0.5, model.get("outputs").get(1).get("loss_weight").asDouble());
    assertEquals("total loss: 1 \u00d7 mean_squared_error (age) + 0.5 \u00d7 binary_crossentropy"
        + " (gender)", model.get("loss").asText());
    assertEquals(NOTE, model.get("notes").get(0).asText());
    assertEquals("tf_keras 2.18.0", model.get("keras_library").asText());
    JsonNode losses = root.get("optimizers").get(0).get("output_losses");
    assertEquals(List.of("age", "gender"), List.copyOf(iterable(losses)));
    assertEquals(0.4, losses.get("gender").get(2).asDouble());
  }

  @Test
  void theReportListsEveryOutputWithItsWeightAndSaysWhichLossItFollows() {
    String html = HtmlReport.render(input());

    assertTrue(html.contains("gender: output [?, 1], loss binary_crossentropy, weight 0.5"), html);
    assertTrue(html.contains("the range test follows the total loss (sum of the weighted output"
        + " losses)"), html);
    assertTrue(html.contains("is left out: it keeps state between batches"), html); // quotes escaped
  }

  @Test
  void aModelOfOneOutputKeepsItsFields() throws IOException {
    ReportInput single = Fixtures.threeOptimizers();

    assertEquals(CurvesCsv.HEADER, CurvesCsv.render(single).lines().findFirst().orElseThrow());
    JsonNode root = new ObjectMapper().readTree(ResultJson.toJson(single));
    assertEquals("x", root.get("model").get("input").get("name").asText());
    assertEquals("sparse_categorical_crossentropy", root.get("model").get("loss").asText());
    assertFalse(root.get("optimizers").get(0).has("output_losses"));
  }

  private static List<String> iterable(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
