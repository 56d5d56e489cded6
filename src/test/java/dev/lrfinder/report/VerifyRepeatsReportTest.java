package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.OptimizerVerification;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.rangetest.VerificationResult;
import dev.lrfinder.rangetest.VerifiedRate;
import dev.lrfinder.suggest.AnalysisSettings;
import dev.lrfinder.suggest.RepeatedRuns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;

/** The report's verification and repeats sections, on constructed results. */
class VerifyRepeatsReportTest {
  private static VerificationResult verification() {
    return new VerificationResult(200, "the test split (x_test/y_test), all 1000 rows", 1000,
        List.of(new OptimizerVerification("adam", 2.30, List.of(
            new VerifiedRate(List.of("steep", "minimum"), 3e-4, 200, 0.2, 0.25, false, 1, true,
                StopReason.END_OF_RANGE),
            new VerifiedRate(List.of("valley"), 4e-5, 200, 0.6, 0.61, false, 2, false,
                StopReason.END_OF_RANGE),
            new VerifiedRate(List.of("slide"), 0.8, 200, Double.NaN, Double.NaN, true, 3,
                false, StopReason.NON_FINITE_LOSS)))));
  }

  private static ReportInput withRepeats() {
    RangeTestConfig config = Fixtures.config();
    List<RangeTestResult> runs = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      RangeTestConfig seeded = config.toBuilder().seed(k).build();
      List<OptimizerCurve> curves = List.of(
          Fixtures.tanhCurve("adam", seeded, 100, 2.3, 0.35, -3.3 + 0.2 * k, -0.8, 10 + k),
          Fixtures.tanhCurve("sgd", seeded, 100, 2.3, 0.6, -1.6, 0.4, 20 + k));
      runs.add(new RangeTestResult(seeded, 100, 10, 640, curves));
    }
    ReportInput input = Fixtures.input("mnist_cnn", config, runs.get(0).curves());
    return input.withRepeats(RepeatedRuns.of(runs, AnalysisSettings.defaults()));
  }

  @Test
  void theVerificationTableListsTheRatesByRankAndMarksTheRecommendation() throws Exception {
    ReportInput input = Fixtures.threeOptimizers().withVerification(verification());
    String html = HtmlReport.render(input);
    int first = html.indexOf("<td>steep, minimum</td>");
    int second = html.indexOf("<td>valley</td>");
    int third = html.indexOf("<td>slide</td>");
    assertTrue(first > 0 && first < second && second < third, "rank order");
    assertTrue(html.contains("<tr class=\"best\"><td class=\"num\">1</td><td>steep, minimum"));
    assertTrue(html.contains("<tr class=\"diverged\"><td class=\"num\">3</td>"));
    assertTrue(html.contains("diverged: loss became NaN or infinite"));
    assertTrue(html.contains("held-out loss after 200 steps"));

    JsonNode json = new ObjectMapper().readTree(ResultJson.toJson(input)).get("verification");
    assertEquals(3e-4, json.get("optimizers").get(0).get("recommended_lr").asDouble(), 0.0);
    assertTrue(json.get("optimizers").get(0).get("ranked").get(2).get("held_out_loss").isNull());
    assertEquals("steep", json.get("optimizers").get(0).get("ranked").get(0).get("rules").get(0)
        .asText());

    List<String> csv = VerificationSection.csv(verification()).lines().toList();
    assertEquals(VerificationSection.CSV_HEADER, csv.get(0));
    assertEquals("adam,1,steep minimum,3.0E-4,0.25,0.2,200,false,true,END_OF_RANGE", csv.get(1));
    assertEquals("adam,3,slide,0.8,,,200,true,false,NON_FINITE_LOSS", csv.get(3));

    String table = SummaryTable.render(input);
    assertTrue(table.contains("verified by training 200 steps"), table);
    assertTrue(table.lines().anyMatch(l -> l.contains(" 1. ") && l.endsWith("recommended")),
        table);
    // Without a verification, none of it.
    assertFalse(HtmlReport.render(Fixtures.threeOptimizers()).contains("verified by training"));
  }

  @Test
  void theLossChartDrawsEachOptimizersBandAndMeanAndThePageTheSpreads() throws Exception {
    ReportInput input = withRepeats();
    XYChart chart = LossChart.draw(input);
    assertTrue(chart.getSeriesMap().containsKey("adam band"));
    assertTrue(chart.getSeriesMap().containsKey("sgd mean"));
    RepeatedRuns.Band band = input.repeats().band("adam");
    double[] ys = chart.getSeriesMap().get("adam band").getYData();
    // The max forward, the min back, up to where the whole band has left the axis.
    assertTrue(ys.length % 2 == 0 && ys.length >= 4 && ys.length <= 2 * band.size());
    double top = chart.getStyler().getYAxisMax();
    for (double y : ys) {
      assertTrue(y <= top, y + " above the axis " + top);
    }

    String html = HtmlReport.render(input);
    assertTrue(html.contains("Suggestions over 3 batch orders"));
    assertTrue(html.contains("<th>seed 0</th><th>seed 1</th><th>seed 2</th>"));
    assertTrue(html.contains("min-max"));
    JsonNode json = new ObjectMapper().readTree(ResultJson.toJson(input)).get("repeats");
    assertEquals(3, json.get("count").asInt());
    assertEquals(3, json.get("optimizers").get(0).get("runs").size());
    assertEquals(band.size(), json.get("optimizers").get(0).get("band").get("mean").size());
    List<String> csv = RepeatsSection.csv(input.repeats()).lines().toList();
    long steps = input.repeats().runs().stream().flatMap(r -> r.curves().stream())
        .mapToInt(OptimizerCurve::stepsRun).sum();
    assertEquals(steps + 1, csv.size());
  }
}
