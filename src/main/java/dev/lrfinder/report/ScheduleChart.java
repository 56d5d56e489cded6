package dev.lrfinder.report;

import dev.lrfinder.rangetest.LrSchedule;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.StopReason;
import java.awt.Color;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The learning rate against the step: the planned schedule dashed, each optimizer's run on top
 * (earlier optimizers wider, since all runs follow the same schedule) and a marker at the last
 * step of each run, its legend saying why it stopped. Log y for the exponential schedule.
 */
final class ScheduleChart {
  static final String FILE_NAME = "lr_vs_step.png";
  private static final int MAX_PLANNED_POINTS = 1000;

  private ScheduleChart() {}

  static XYChart draw(ReportInput input) {
    RangeTestConfig config = input.result().config();
    boolean logY = config.schedule() == LrSchedule.EXPONENTIAL;
    XYChart chart = ChartStyle.chart(input.modelName() + ": learning rate vs step",
        "step (counted from 0)", logY ? "learning rate (log scale)" : "learning rate");
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setMarkerSize(16);

    Names names = new Names();
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    long planned = input.result().plannedSteps();
    long lastStep = planned - 1;
    if (planned > 0) {
      double[][] plan = plan(config, planned);
      ChartStyle.dashed(chart, names.unique("planned: " + planned + " steps"), plan[0], plan[1],
          new Color(0x777777));
      yMin = Arrays.stream(plan[1]).min().orElse(yMin);
      yMax = Arrays.stream(plan[1]).max().orElse(yMax);
    }
    List<OptimizerCurve> curves = input.result().curves();
    for (int i = 0; i < curves.size(); i++) {
      OptimizerCurve curve = curves.get(i);
      double[][] points = steps(curve, logY);
      if (points[0].length == 0) {
        continue;
      }
      Color color = ChartStyle.color(i);
      float width = curves.size() == 1 ? 2.5f
          : 1.5f + 4f * (curves.size() - 1 - i) / (curves.size() - 1);
      ChartStyle.line(chart, names.unique(curve.optimizer()), points[0], points[1], color, width);
      int last = points[0].length - 1;
      ChartStyle.points(chart, names.unique(curve.optimizer() + ": "
              + Format.stopShort(curve.stopReason()) + " at step " + (long) points[0][last]),
          new double[] {points[0][last]}, new double[] {points[1][last]}, ChartStyle.dark(color),
          marker(curve.stopReason()));
      lastStep = Math.max(lastStep, (long) points[0][last]);
      yMin = Math.min(yMin, Arrays.stream(points[1]).min().getAsDouble());
      yMax = Math.max(yMax, Arrays.stream(points[1]).max().getAsDouble());
    }
    if (!(yMax >= yMin)) {
      return Charts.nothingToDraw(chart, 0, 1, false);
    }
    double xSpan = Math.max(1, lastStep);
    chart.getStyler().setXAxisMin(-0.02 * xSpan);
    chart.getStyler().setXAxisMax(lastStep + 0.02 * xSpan);
    if (logY) {
      Charts.logRange(chart, yMin, yMax, false);
    } else {
      double span = yMax > yMin ? yMax - yMin : Math.max(Math.abs(yMax), 1e-12);
      Charts.linearY(chart, yMin - 0.03 * span, yMax + 0.03 * span);
    }
    return chart;
  }

  /** The planned schedule at up to {@value #MAX_PLANNED_POINTS} steps, first and last included. */
  private static double[][] plan(RangeTestConfig config, long planned) {
    int count = (int) Math.min(planned, MAX_PLANNED_POINTS);
    double[] steps = LongStream.range(0, count)
        .mapToDouble(j -> count == 1 ? 0 : Math.round((double) j * (planned - 1) / (count - 1)))
        .toArray();
    double[] rates = Arrays.stream(steps)
        .map(step -> config.schedule().rate((long) step, planned, config.startLr(), config.endLr()))
        .toArray();
    return new double[][] {steps, rates};
  }

  /** {@code {steps, rates}} of the steps a run recorded with a rate the axis can show. */
  private static double[][] steps(OptimizerCurve curve, boolean logY) {
    double[] rates = curve.learningRateArray();
    double[] xs = new double[rates.length];
    double[] ys = new double[rates.length];
    int size = 0;
    for (int step = 0; step < rates.length; step++) {
      if (Double.isFinite(rates[step]) && (!logY || rates[step] > 0)) {
        xs[size] = step;
        ys[size++] = rates[step];
      }
    }
    return new double[][] {Arrays.copyOf(xs, size), Arrays.copyOf(ys, size)};
  }

  private static Marker marker(StopReason reason) {
    switch (reason) {
      case END_OF_RANGE:
        return SeriesMarkers.CIRCLE;
      case DIVERGED:
        return SeriesMarkers.TRIANGLE_UP;
      case NON_FINITE_LOSS:
        return SeriesMarkers.CROSS;
      default:
        return SeriesMarkers.SQUARE;
    }
  }
}
