package dev.lrfinder.report;

import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.XYStyler;

/**
 * The report's charts, 1200x800, as PNG files beside the page and inline in it as SVG: loss vs
 * learning rate with the suggestions, the per-step loss change vs learning rate, and the
 * learning rate vs step with where each run stopped. Drawing needs no display (it paints into
 * images and vector command lists only) and sets no JVM property: the command line runs headless.
 */
public final class Charts {
  /** The chart files in the order the report shows them. */
  public static final List<String> FILE_NAMES = List.of(LossChart.FILE_NAME,
      LossDeltaChart.FILE_NAME, ScheduleChart.FILE_NAME);

  /** Tick labels of log axes: {@code 1E-7} ... {@code 1E0}, {@code 1E1}, all alike. */
  private static final String LOG_TICKS = "0E0";

  private Charts() {}

  /**
   * Sets a linear y axis to {@code [min, max]}, tick labels like {@code 0.035} or {@code 2.5}.
   * Beyond 1e4 or below 1e-3 the power of ten goes into the axis title ({@code (x1e13)}) and the
   * ticks read {@code 1.36, 1.38, 1.4} instead of {@code 1.362e+13 ...}: the axis of one chart
   * spans a small range, so every tick would repeat the same exponent.
   */
  static void linearY(XYChart chart, double min, double max) {
    chart.getStyler().setYAxisLogarithmic(false);
    chart.getStyler().setYAxisMin(min);
    chart.getStyler().setYAxisMax(max);
    int exponent = Format.axisExponent(min, max);
    if (exponent == 0) {
      chart.getStyler().setyAxisTickLabelsFormattingFunction(Format::tick);
      return;
    }
    double scale = Math.pow(10, exponent);
    chart.getStyler().setyAxisTickLabelsFormattingFunction(v -> Format.tick(v / scale));
    chart.setYAxisTitle(chart.getYAxisTitle() + " (\u00d71e" + exponent + ")");
  }

  /** Sets the y axis to {@code axis}: {@link #linearY}, or log with ticks like {@code 1E13}. */
  static void y(XYChart chart, PlotMath.Axis axis) {
    if (!axis.log()) {
      linearY(chart, axis.min(), axis.max());
      return;
    }
    XYStyler styler = chart.getStyler();
    styler.setYAxisLogarithmic(true);
    styler.setYAxisDecimalPattern(LOG_TICKS);
    styler.setYAxisMin(axis.min());
    styler.setYAxisMax(axis.max());
    styler.setYAxisLogarithmicDecadeOnly(Math.log10(axis.max() / axis.min()) >= 1.5);
  }

  /** How to draw each chart, by file name in {@link #FILE_NAMES} order. */
  static Map<String, Function<ReportInput, XYChart>> drawers() {
    Map<String, Function<ReportInput, XYChart>> drawers = new LinkedHashMap<>();
    drawers.put(LossChart.FILE_NAME, LossChart::draw);
    drawers.put(LossDeltaChart.FILE_NAME, LossDeltaChart::draw);
    drawers.put(ScheduleChart.FILE_NAME, ScheduleChart::draw);
    return drawers;
  }

  /** Gives a chart without any finite point a blank plot and says so in its title. */
  static XYChart nothingToDraw(XYChart chart, double xMin, double xMax, boolean logX) {
    chart.setTitle(chart.getTitle() + " (no finite points to draw)");
    ChartStyle.line(chart, "nothing", new double[] {xMin, xMax}, new double[] {0, 1},
        new Color(0, 0, 0, 0), 1f).setShowInLegend(false);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisLogarithmic(false);
    chart.getStyler().setXAxisLogarithmic(logX);
    if (logX) {
      logRange(chart, xMin, xMax, true);
    }
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.0);
    return chart;
  }

  /**
   * Sets a log axis to {@code [min, max]} plus a small margin; a single value gets a decade
   * around it. Ticks sit at powers of ten when the range spans a couple of decades.
   */
  static void logRange(XYChart chart, double min, double max, boolean xAxis) {
    double low = min;
    double high = max;
    if (!(high > low)) {
      low = min / Math.sqrt(10);
      high = min * Math.sqrt(10);
    }
    double decades = Math.log10(high / low);
    double margin = Math.pow(10, 0.02 * decades);
    XYStyler styler = chart.getStyler();
    if (xAxis) {
      styler.setXAxisDecimalPattern(LOG_TICKS);
      styler.setXAxisMin(low / margin);
      styler.setXAxisMax(high * margin);
      styler.setXAxisLogarithmicDecadeOnly(decades >= 1.5);
    } else {
      styler.setYAxisDecimalPattern(LOG_TICKS);
      styler.setYAxisMin(low / margin);
      styler.setYAxisMax(high * margin);
      styler.setYAxisLogarithmicDecadeOnly(decades >= 1.5);
    }
  }
}
