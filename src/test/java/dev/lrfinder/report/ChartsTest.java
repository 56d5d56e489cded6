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
  /** Every marker of {@code chart} lies inside its y axis. */
  private static int markersInside(XYChart chart) {
    int markers = 0;
    for (XYSeries series : chart.getSeriesMap().values()) {
      if (series.getXYSeriesRenderStyle() == XYSeries.XYSeriesRenderStyle.Scatter) {
        double y = series.getYData()[0];
        assertTrue(y >= chart.getStyler().getYAxisMin() && y <= chart.getStyler().getYAxisMax(),
            series.getName() + " at " + y + " outside [" + chart.getStyler().getYAxisMin() + ", "
                + chart.getStyler().getYAxisMax() + "]");
        markers++;
      }
    }
    return markers;
  }

  @Test
  void aRegressionFallingDecadesAt1e13GetsALogAxisWithItsMarkersInside() throws IOException {
    ReportInput input = Fixtures.fittedRegression();
    XYChart chart = LossChart.draw(input);

    assertTrue(chart.getStyler().isYAxisLogarithmic(), chart.getYAxisTitle());
    assertTrue(chart.getYAxisTitle().contains("log scale"), chart.getYAxisTitle());
    double min = chart.getStyler().getYAxisMin();
    double max = chart.getStyler().getYAxisMax();
    double[] window = Arrays.copyOfRange(input.result().curves().get(0).smoothedArray(), 10, 99);
    double lowest = Arrays.stream(window).min().getAsDouble();
    assertTrue(min <= lowest && lowest < 1.4e12, "the minimum " + lowest + " is on the axis " + min);
    assertTrue(max >= window[0] && max < 1e15, "the start is on the axis, the blow-up cut: " + max);
    assertEquals(Arrays.stream(window).max().getAsDouble() > max,
        chart.getYAxisTitle().contains("axis cut at"), chart.getYAxisTitle());
    assertEquals(3, markersInside(chart));
    writesACompleteReport(input);
  }

  @Test
  void aFlatLossAt1e13ReadsInTicksTimesAPowerOfTen() {
    ReportInput input = Fixtures.unscaledRegression();
    XYChart chart = LossChart.draw(input);

    assertFalse(chart.getStyler().isYAxisLogarithmic(), "a few percent: linear");
    assertTrue(chart.getYAxisTitle().endsWith("(\u00d71e13)"), chart.getYAxisTitle());
    assertEquals("1.4", chart.getStyler().getyAxisTickLabelsFormattingFunction().apply(1.4e13));
    assertEquals("1.38", chart.getStyler().getyAxisTickLabelsFormattingFunction().apply(1.38e13));
    double min = chart.getStyler().getYAxisMin();
    double max = chart.getStyler().getYAxisMax();
    for (OptimizerCurve curve : input.result().curves()) {
      double[] window = Arrays.copyOfRange(curve.smoothedArray(), 10,
          Math.max(10, curve.stepsRun() - 1));
      double lowest = Arrays.stream(window).min().orElse(min);
      assertTrue(lowest >= min && lowest <= max, curve.optimizer() + " lowest " + lowest);
      assertTrue(window[0] >= min && window[0] <= max, curve.optimizer() + " start " + window[0]);
    }
    assertTrue(markersInside(chart) > 0);
  }

  @Test
  void titlesNameTheModelDirectoryNotKerassDefaultName() {
    ReportInput input = Fixtures.fittedRegression();
    assertEquals("sequential", input.contract().modelName());
    assertEquals("house_prices", input.modelName());
    assertTrue(LossChart.draw(input).getTitle().startsWith("house_prices: "));
    assertTrue(LossDeltaChart.draw(input).getTitle().startsWith("house_prices: "));
    assertTrue(ScheduleChart.draw(input).getTitle().startsWith("house_prices: "));
    assertTrue(HtmlReport.render(input).contains("<h1>Learning-rate range test: house_prices</h1>"));
    assertTrue(ReportWriter.directoryName(input).startsWith("house_prices-"));
    // A name given on purpose stays; a numbered serving directory keeps its parent's name.
    assertEquals("mnist_cnn", Fixtures.threeOptimizers().modelName());
    dev.lrfinder.model.ModelContract functional = new dev.lrfinder.model.ModelContract(0,
        "functional_1", "prices.h5", 1, 1, input.contract().input(), input.contract().label(),
        "mse", List.of(), List.of(), "-", "-");
    assertEquals("prices/1", ReportInput.displayName(Path.of("/m/prices/1"), functional));
    assertEquals("prices", ReportInput.displayName(null, functional));
  }
}
