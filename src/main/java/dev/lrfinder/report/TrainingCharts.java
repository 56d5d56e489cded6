package dev.lrfinder.report;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.TrainingResult;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.knowm.xchart.XYChart;

/**
 * The learning curves of a training run, in the find report's look ({@link ChartStyle}): the loss
 * per epoch (training, and validation when there is some), each metric per epoch, and the learning
 * rate of every step. Epochs are counted from 1, as Keras prints them; steps from 0.
 */
final class TrainingCharts {
  static final String LOSS_FILE = "loss_vs_epoch.png";
  static final String METRICS_FILE = "metrics_vs_epoch.png";
  static final String RATE_FILE = "lr_vs_step.png";

  private TrainingCharts() {}

  /** How to draw each chart, by file name in the order the page shows them. */
  static Map<String, Function<TrainingReportInput, XYChart>> drawers(TrainingResult result) {
    Map<String, Function<TrainingReportInput, XYChart>> drawers = new LinkedHashMap<>();
    drawers.put(LOSS_FILE, TrainingCharts::loss);
    if (!metricNames(result).isEmpty()) {
      drawers.put(METRICS_FILE, TrainingCharts::metrics);
    }
    drawers.put(RATE_FILE, TrainingCharts::rate);
    return drawers;
  }

  /** The metrics of the run (accuracy...), without the losses. */
  static List<String> metricNames(TrainingResult result) {
    Set<String> names = new LinkedHashSet<>();
    result.epochs().forEach(e -> e.train().keySet().stream()
        .filter(k -> !k.equals("loss") && !k.endsWith("_loss")).forEach(names::add));
    return List.copyOf(names);
  }

  static XYChart loss(TrainingReportInput input) {
    XYChart chart = ChartStyle.chart(input.modelName() + ": loss per epoch", "epoch", "loss");
    Range range = new Range();
    addPair(chart, input.result(), "loss", "loss", 0, range);
    return finish(chart, input.result(), range, true);
  }

  static XYChart metrics(TrainingReportInput input) {
    XYChart chart = ChartStyle.chart(input.modelName() + ": metrics per epoch", "epoch",
        "value");
    Range range = new Range();
    List<String> names = metricNames(input.result());
    for (int i = 0; i < names.size(); i++) {
      addPair(chart, input.result(), names.get(i), names.get(i), 2 * i + 1, range);
    }
    return finish(chart, input.result(), range, false);
  }

  /** The training values of {@code key} per complete epoch, solid, and the validation's, dashed. */
  static void addPair(XYChart chart, TrainingResult result, String key, String label,
      int colorIndex, Range range) {
    List<double[]> train = new ArrayList<>();
    List<double[]> validation = new ArrayList<>();
    for (EpochRecord epoch : result.epochs()) {
      if (!epoch.complete()) {
        continue;
      }
      Double t = epoch.train().get(key);
      if (t != null && Double.isFinite(t)) {
        train.add(new double[] {epoch.epoch() + 1, t});
      }
      Double v = epoch.validation().get(key);
      if (v != null && Double.isFinite(v)) {
        validation.add(new double[] {epoch.epoch() + 1, v});
      }
    }
    Color color = ChartStyle.color(colorIndex);
    if (!train.isEmpty()) {
      ChartStyle.line(chart, label + " (training)", xs(train), ys(train), color, 2.5f);
      range.add(ys(train));
    }
    if (!validation.isEmpty()) {
      ChartStyle.dashed(chart, label + " (validation)", xs(validation), ys(validation),
          ChartStyle.color(colorIndex + 1)).setShowInLegend(true);
      range.add(ys(validation));
    }
  }

  static XYChart rate(TrainingReportInput input) {
    List<Double> rates = input.result().stepRates();
    double[] steps = new double[rates.size()];
    double[] values = new double[rates.size()];
    for (int i = 0; i < steps.length; i++) {
      steps[i] = i;
      values[i] = rates.get(i);
    }
    Range range = new Range();
    range.add(values);
    boolean log = range.min > 0 && range.max / range.min >= 10;
    XYChart chart = ChartStyle.chart(input.modelName() + ": learning rate per step",
        "step (counted from 0)", log ? "learning rate (log scale)" : "learning rate");
    if (steps.length == 0 || !(range.max >= range.min)) {
      return Charts.nothingToDraw(chart, 0, 1, false);
    }
    // One series: the schedule's words (often long) go in the caption, not a legend that would
    // squeeze the plot.
    ChartStyle.line(chart, "learning rate", steps, values, ChartStyle.color(0), 2.5f);
    chart.getStyler().setLegendVisible(false);
    double span = Math.max(1, steps.length - 1);
    chart.getStyler().setXAxisMin(-0.02 * span);
    chart.getStyler().setXAxisMax(steps.length - 1 + 0.02 * span);
    if (log) {
      chart.getStyler().setYAxisLogarithmic(true);
      Charts.logRange(chart, range.min, range.max, false);
    } else {
      linear(chart, range);
    }
    return chart;
  }

  private static XYChart finish(XYChart chart, TrainingResult result, Range range,
      boolean logWhenWide) {
    return finish(chart, result.epochs().size(), range, logWhenWide);
  }

  /**
   * Fits the axes to epochs 1..{@code epochs} and {@code range}: log scale for a loss that spans
   * 30x or more when {@code logWhenWide}; a note when there is nothing to draw.
   */
  static XYChart finish(XYChart chart, int epochs, Range range, boolean logWhenWide) {
    if (!(range.max >= range.min)) {
      return Charts.nothingToDraw(chart, 1, Math.max(2, epochs), false);
    }
    double last = Math.max(1, epochs);
    chart.getStyler().setXAxisMin(1 - 0.02 * Math.max(1, last - 1));
    chart.getStyler().setXAxisMax(last + 0.02 * Math.max(1, last - 1));
    // Whole epochs only: XChart widens the tick spacing until the labels differ, so a pattern
    // without decimals leaves ticks on whole epochs (a tick at 2.5 would name no epoch).
    chart.getStyler().setXAxisDecimalPattern("0");
    if (logWhenWide && range.min > 0 && range.max / range.min >= 30) {
      chart.getStyler().setYAxisLogarithmic(true);
      chart.setYAxisTitle(chart.getYAxisTitle() + " (log scale)");
      Charts.logRange(chart, range.min, range.max, false);
    } else {
      linear(chart, range);
    }
    return chart;
  }

  static void linear(XYChart chart, Range range) {
    double span = range.max > range.min ? range.max - range.min
        : Math.max(Math.abs(range.max), 1e-12);
    Charts.linearY(chart, range.min - 0.05 * span, range.max + 0.05 * span);
  }

  private static double[] xs(List<double[]> points) {
    return points.stream().mapToDouble(p -> p[0]).toArray();
  }

  private static double[] ys(List<double[]> points) {
    return points.stream().mapToDouble(p -> p[1]).toArray();
  }

  /** The smallest and largest finite value seen. */
  static final class Range {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;

    void add(double[] values) {
      Arrays.stream(values).filter(Double::isFinite).forEach(v -> {
        min = Math.min(min, v);
        max = Math.max(max, v);
      });
    }
  }
}
