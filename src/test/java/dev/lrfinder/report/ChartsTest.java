package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.rangetest.LrSchedule;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.suggest.Suggestion;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class ChartsTest {
  @TempDir Path dir;

  /** Writes the whole report and checks that every file is there and every chart readable. */
  private Path writesACompleteReport(ReportInput input) throws IOException {
    Path written = new ReportWriter().write(input, dir, null);
    for (String file : List.of("index.html", "result.json", "curves.csv")) {
      assertTrue(Files.size(written.resolve(file)) > 0, file);
    }
    for (String chart : Charts.FILE_NAMES) {
      BufferedImage image = ImageIO.read(written.resolve(chart).toFile());
      assertNotNull(image, chart);
      assertEquals(1200, image.getWidth());
      assertEquals(800, image.getHeight());
    }
    SummaryTable.render(input);
    return written;
  }

  private static OptimizerCurve curveOf(String optimizer, double[] lrs, double[] losses) {
    return Fixtures.curve(optimizer, lrs, losses, losses, StopReason.END_OF_RANGE, 100);
  }

  @Test
  void suggestionMarkersSitOnTheSmoothedCurve() {
    ReportInput input = Fixtures.threeOptimizers();
    XYChart chart = LossChart.draw(input);

    int markers = 0;
    for (OptimizerCurve curve : input.result().curves()) {
      for (String rule : LossChart.MARKED_ORDER) {
        Suggestion s = input.suggestion(curve.optimizer(), rule).orElseThrow();
        XYSeries series = chart.getSeriesMap()
            .get(curve.optimizer() + " " + rule + " " + Format.lr(s.learningRate()));
        assertNotNull(series, curve.optimizer() + " " + rule + " in " + chart.getSeriesMap().keySet());
        double lr = series.getXData()[0];
        double y = series.getYData()[0];
        assertEquals(s.learningRate(), lr);
        double[] lrs = curve.learningRateArray();
        double[] smoothed = curve.smoothedArray();
        int right = 0;
        while (lrs[right] < lr) {
          right++;
        }
        int left = Math.max(0, right - 1);
        double low = Math.min(smoothed[left], smoothed[right]);
        double high = Math.max(smoothed[left], smoothed[right]);
        assertTrue(low - 1e-12 <= y && y <= high + 1e-12,
            rule + " marker at " + y + " is off the curve [" + low + ", " + high + "]");
        markers++;
      }
    }
    assertEquals(9, markers);
  }

  @Test
  void aBlowUpDoesNotSquashTheAxis() {
    RangeTestConfig config = Fixtures.config().toBuilder().stopFactor(0).build();
    double[] lrs = Fixtures.exponentialLrs(100, 100);
    double[] losses = new double[100];
    for (int i = 0; i < 100; i++) {
      losses[i] = i < 80 ? 2.3 - 0.02 * i : 0.7 * Math.pow(10, i - 80);
    }
    ReportInput input = Fixtures.input("m", config, List.of(curveOf("adam", lrs, losses)));

    XYChart chart = LossChart.draw(input);

    double yMax = chart.getStyler().getYAxisMax();
    assertTrue(yMax > 2.3 && yMax < 4, "y max " + yMax);
    assertTrue(chart.getStyler().getYAxisMin() < 0.72);
    assertTrue(chart.getYAxisTitle().contains("axis cut at"));
    XYSeries smoothed = chart.getSeriesMap().get("adam");
    assertTrue(Arrays.stream(smoothed.getYData()).filter(Double::isFinite).max().getAsDouble()
        < 1e3, "clipped before drawing");
  }

  @Test
  void onlyTheSkipWindowIsDrawnSmoothed() {
    ReportInput input = Fixtures.threeOptimizers();
    OptimizerCurve adam = input.result().curves().get(0);

    XYSeries smoothed = LossChart.draw(input).getSeriesMap().get("adam");

    assertEquals(adam.learningRates().get(10), smoothed.getXData()[0]);
    double lastDrawn = Arrays.stream(smoothed.getXData()).max().getAsDouble();
    assertTrue(lastDrawn <= adam.learningRates().get(adam.stepsRun() - 2));
  }

  @Test
  void curvesWithNoneOneOrOnlyNanStepsDoNotBreakTheReport() throws IOException {
    double[] nan = {Double.NaN, Double.NaN, Double.NaN};
    List<OptimizerCurve> curves = List.of(
        curveOf("empty", new double[0], new double[0]),
        curveOf("one", new double[] {1e-7}, new double[] {2.3}),
        curveOf("nan", Fixtures.exponentialLrs(3, 100), nan),
        Fixtures.curve("failed", new double[] {1e-7, 2e-7}, new double[] {2.3, Double.NaN},
            new double[] {2.3, Double.NaN}, StopReason.NON_FINITE_LOSS, 100));
    ReportInput input = Fixtures.input("m", Fixtures.config(), curves);

    Path written = writesACompleteReport(input);

    String html = Files.readString(written.resolve("index.html"));
    assertTrue(html.contains("none: the curve has 0 usable points"));
    assertEquals(1 + 4, SummaryTable.render(input).lines().count());
    assertTrue(SummaryTable.render(input).contains("NaN loss"));
  }

  @Test
  void aReportWithoutAnyStepStillRenders() throws IOException {
    ReportInput input = Fixtures.input("m", Fixtures.config(),
        List.of(curveOf("adam", new double[0], new double[0])));

    writesACompleteReport(input);
    assertTrue(LossChart.draw(input).getTitle().contains("no finite points"));
  }

  @Test
  void suggestionsThatAreNoneGetNoMarker() {
    ReportInput base = Fixtures.threeOptimizers();
    Map<String, List<Suggestion>> suggestions = new LinkedHashMap<>();
    for (OptimizerCurve curve : base.result().curves()) {
      suggestions.put(curve.optimizer(), List.of(Suggestion.none("steep", "never falls"),
          Suggestion.none("valley", "never falls"), Suggestion.none("minimum", "never falls")));
    }
    ReportInput input = Fixtures.input("m", Fixtures.config(), base.result().curves(),
        suggestions);

    XYChart chart = LossChart.draw(input);

    assertTrue(chart.getSeriesMap().keySet().stream().noneMatch(name -> name.contains("steep")),
        chart.getSeriesMap().keySet().toString());
    assertTrue(HtmlReport.render(input).contains("none: never falls"));
  }

  @Test
  void aSingleOptimizerAndEightOptimizersRender() throws IOException {
    List<OptimizerCurve> all = new ArrayList<>();
    RangeTestConfig config = Fixtures.config();
    for (int i = 0; i < 8; i++) {
      all.add(Fixtures.tanhCurve("opt" + i, config, 100, 2.3, 0.3 + 0.05 * i, -4 + 0.4 * i,
          -1 + 0.2 * i, i));
    }
    writesACompleteReport(Fixtures.input("one", config, all.subList(0, 1)));
    ReportInput eight = Fixtures.input("eight", config, all);
    writesACompleteReport(eight);

    XYChart chart = LossChart.draw(eight);
    List<java.awt.Color> colours = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      colours.add(chart.getSeriesMap().get("opt" + i).getLineColor());
    }
    assertEquals(8, colours.stream().distinct().count(), "one colour per optimizer");
  }

  @Test
  void theLinearScheduleHasALinearLearningRateAxis() throws IOException {
    RangeTestConfig config = Fixtures.config().toBuilder().schedule(LrSchedule.LINEAR)
        .startLr(1e-4).endLr(1).build();
    ReportInput input = Fixtures.input("m", config, List.of(
        Fixtures.tanhCurve("adam", config, 100, 2.3, 0.4, -1.5, -0.2, 7)));

    writesACompleteReport(input);

    XYChart schedule = ScheduleChart.draw(input);
    assertFalse(schedule.getStyler().isYAxisLogarithmic());
    assertTrue(ScheduleChart.draw(Fixtures.threeOptimizers()).getStyler().isYAxisLogarithmic());
  }

  @Test
  void theScheduleChartNamesWhyEachRunStopped() {
    XYChart chart = ScheduleChart.draw(Fixtures.threeOptimizers());

    List<String> names = new ArrayList<>(chart.getSeriesMap().keySet());
    assertTrue(names.stream().anyMatch(n -> n.startsWith("adam: diverged at step ")), names.toString());
    assertTrue(names.contains("sgd: end of range at step 99"), names.toString());
    assertTrue(names.contains("planned: 100 steps"), names.toString());
  }

  @Test
  void theLossDeltaChartHasOneLinePerOptimizer() {
    ReportInput input = Fixtures.threeOptimizers();

    XYChart chart = LossDeltaChart.draw(input);

    for (OptimizerCurve curve : input.result().curves()) {
      XYSeries series = chart.getSeriesMap().get(curve.optimizer());
      assertNotNull(series, curve.optimizer());
      assertEquals(curve.learningRates().get(LossDeltaChart.SMA), series.getXData()[0]);
    }
  }
}
