package dev.lrfinder.report;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.suggest.Curve;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.MinimumOverTen;
import dev.lrfinder.suggest.SteepestDescent;
import dev.lrfinder.suggest.Suggestion;
import dev.lrfinder.suggest.Valley;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import dev.lrfinder.suggest.RepeatedRuns;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The main chart: each optimizer's smoothed loss over the skip window against the learning rate
 * (log x), its raw loss faint underneath, and a marker per suggestion of the marked rules, drawn
 * on the smoothed curve. The y axis is picked from the data ({@link PlotMath#lossAxis}): it ends a
 * little above the loss before each curve's minimum, so that a blow-up at the end does not squash
 * the part worth reading (what rises above is cut off), always holds the markers, and turns
 * logarithmic when that part spans more than a decade (a regression on unscaled targets).
 */
final class LossChart {
  static final String FILE_NAME = "loss_vs_lr.png";

  /** The rules marked on the curves, each with its own marker shape. */
  static final Map<String, Marker> MARKED_RULES = Map.of(
      SteepestDescent.NAME, SeriesMarkers.TRIANGLE_DOWN,
      Valley.NAME, SeriesMarkers.CIRCLE,
      MinimumOverTen.NAME, SeriesMarkers.DIAMOND);
  static final List<String> MARKED_ORDER = List.of(SteepestDescent.NAME, Valley.NAME,
      MinimumOverTen.NAME);

  private LossChart() {}

  /** One optimizer's points: the skip window, and every finite point for placing markers. */
  private record Line(String optimizer, Color color, double[] lrs, double[] smoothed,
      double[] raw, double[] allLrs, double[] allSmoothed) {

    static Line of(OptimizerCurve curve, Color color, RangeTestAnalysis analysis) {
      RangeTestAnalysis.OptimizerAnalysis read = analysis.optimizer(curve.optimizer());
      Curve window = read.window();
      Curve all = read.finite();
      int from = window.pointsBefore();
      double[] windowLrs = new double[window.size()];
      double[] windowSmoothed = new double[window.size()];
      double[] windowRaw = new double[window.size()];
      for (int i = 0; i < window.size(); i++) {
        windowLrs[i] = window.lr(i);
        windowSmoothed[i] = window.loss(i);
        windowRaw[i] = curve.losses().get(from + i);
      }
      double[] allLrs = new double[all.size()];
      double[] allSmoothed = new double[all.size()];
      for (int i = 0; i < all.size(); i++) {
        allLrs[i] = all.lr(i);
        allSmoothed[i] = all.loss(i);
      }
      return new Line(curve.optimizer(), color, windowLrs, windowSmoothed, windowRaw, allLrs,
          allSmoothed);
    }

    boolean empty() {
      return lrs.length == 0;
    }

    /** The highest smoothed loss up to the window's minimum: the curve's starting level. */
    double head() {
      int best = argMin();
      double head = Double.NEGATIVE_INFINITY;
      for (int i = 0; i <= best; i++) {
        head = Math.max(head, smoothed[i]);
      }
      return head;
    }

    double min() {
      return smoothed[argMin()];
    }

    double max() {
      double max = Double.NEGATIVE_INFINITY;
      for (double value : smoothed) {
        max = Math.max(max, value);
      }
      return max;
    }

    private int argMin() {
      int best = 0;
      for (int i = 1; i < smoothed.length; i++) {
        if (smoothed[i] < smoothed[best]) {
          best = i;
        }
      }
      return best;
    }
  }

  /** A suggestion's marker: where on which line, of which rule. */
  private record Mark(Line line, String rule, double lr, double y) {}

  static XYChart draw(ReportInput input) {
    RangeTestConfig config = input.result().config();
    List<Line> lines = new ArrayList<>();
    List<OptimizerCurve> curves = input.result().curves();
    for (int i = 0; i < curves.size(); i++) {
      lines.add(Line.of(curves.get(i), ChartStyle.color(i), input.analysis()));
    }
    List<Line> drawn = lines.stream().filter(line -> !line.empty()).toList();
    List<Mark> marks = new ArrayList<>();
    for (Line line : drawn) {
      for (String rule : MARKED_ORDER) {
        Suggestion suggestion = input.suggestion(line.optimizer(), rule).orElse(null);
        if (suggestion != null && suggestion.found()) {
          double lr = suggestion.learningRate();
          double y = PlotMath.interpolateLogX(line.allLrs(), line.allSmoothed(), lr);
          if (Double.isFinite(y)) {
            marks.add(new Mark(line, rule, lr, y));
          }
        }
      }
    }

    double[] allSmoothed = drawn.stream().flatMapToDouble(line -> Arrays.stream(line.smoothed()))
        .toArray();
    double lowest = Math.min(Arrays.stream(allSmoothed).min().orElse(Double.NaN),
        marks.stream().mapToDouble(Mark::y).min().orElse(Double.POSITIVE_INFINITY));
    if (input.repeats() != null) {
      // The band's bottom stays in view: the other batch orders may dip below this run.
      for (Line line : drawn) {
        for (double low : input.repeats().band(line.optimizer()).min()) {
          lowest = Math.min(lowest, low);
        }
      }
    }
    double upper = Math.max(drawn.stream().mapToDouble(Line::head).max().orElse(Double.NaN),
        Math.max(PlotMath.quantile(allSmoothed, 0.75),
            marks.stream().mapToDouble(Mark::y).max().orElse(Double.NEGATIVE_INFINITY)));
    double highest = Arrays.stream(allSmoothed).max().orElse(Double.NaN);
    double rawLow = drawn.stream().flatMapToDouble(line -> Arrays.stream(line.raw()))
        .filter(Double::isFinite).min().orElse(Double.NaN);
    PlotMath.Axis axis = PlotMath.lossAxis(lowest, upper, highest, rawLow);

    String loss = config.validationBatches() > 0 ? "validation loss" : "training loss";
    String yTitle = "smoothed " + loss + " (faint: raw " + loss + ")"
        + (axis.log() ? ", log scale" : "")
        + (axis.cut() ? "; axis cut at " + Format.compact(axis.max()) : "");
    XYChart chart = ChartStyle.chart(input.modelName() + ": loss vs learning rate",
        "learning rate (log scale)", yTitle);
    chart.getStyler().setXAxisLogarithmic(true);
    if (drawn.isEmpty()) {
      return Charts.nothingToDraw(chart, config.startLr(), config.endLr(), true);
    }

    Names names = new Names();
    for (Line line : drawn) {
      double[][] raw = PlotMath.clip(line.lrs(), line.raw(), axis.floor(), axis.ceiling(), true);
      if (PlotMath.anyFinite(raw[1])) {
        ChartStyle.line(chart, names.unique(line.optimizer() + " raw"), raw[0], raw[1],
            ChartStyle.faint(line.color()), 1f).setShowInLegend(false);
      }
    }
    if (input.repeats() != null) {
      for (Line line : drawn) {
        drawBand(chart, names, line, input.repeats().band(line.optimizer()), axis);
      }
    }
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    for (Line line : drawn) {
      double[][] smoothed = PlotMath.clip(line.lrs(), line.smoothed(), axis.floor(),
          axis.ceiling(), true);
      ChartStyle.line(chart, names.unique(line.optimizer()), smoothed[0], smoothed[1],
          line.color(), 2.5f);
      xMin = Math.min(xMin, line.lrs()[0]);
      xMax = Math.max(xMax, line.lrs()[line.lrs().length - 1]);
      for (Mark mark : marks) {
        if (mark.line() != line) {
          continue;
        }
        ChartStyle.points(chart, names.unique(line.optimizer() + " " + mark.rule() + " "
            + Format.lr(mark.lr())), new double[] {mark.lr()}, new double[] {mark.y()},
            ChartStyle.dark(line.color()), MARKED_RULES.get(mark.rule()));
        xMin = Math.min(xMin, mark.lr());
        xMax = Math.max(xMax, mark.lr());
      }
    }
    Charts.logRange(chart, xMin, xMax, true);
    Charts.y(chart, axis);
    return chart;
  }

  /**
   * The repeats' min-max band of one optimizer as a shaded polygon (the max forward, the min
   * back, held inside the axis), and their mean as a dashed line.
   */
  private static void drawBand(XYChart chart, Names names, Line line, RepeatedRuns.Band band,
      PlotMath.Axis axis) {
    if (band.size() < 2) {
      return;
    }
    double[] lrs = band.lrs();
    double[] min = band.min();
    double[] max = band.max();
    // The band ends where all of it has left the axis (every run blown up above the cut).
    int n = 0;
    while (n < lrs.length && min[n] <= axis.max()) {
      n++;
    }
    if (n < 2) {
      return;
    }
    double[] xs = new double[2 * n];
    double[] ys = new double[2 * n];
    for (int i = 0; i < n; i++) {
      xs[i] = lrs[i];
      ys[i] = Math.max(axis.min(), Math.min(axis.max(), max[i]));
      xs[2 * n - 1 - i] = lrs[i];
      ys[2 * n - 1 - i] = Math.max(axis.min(), Math.min(axis.max(), min[i]));
    }
    XYSeries area = chart.addSeries(names.unique(line.optimizer() + " band"), xs, ys);
    area.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
    area.setMarker(SeriesMarkers.NONE);
    area.setFillColor(ChartStyle.faint(line.color()));
    area.setLineColor(ChartStyle.faint(line.color()));
    area.setShowInLegend(false);
    double[][] mean = PlotMath.clip(lrs, band.mean(), axis.floor(), axis.ceiling(), true);
    if (PlotMath.anyFinite(mean[1])) {
      ChartStyle.dashed(chart, names.unique(line.optimizer() + " mean"), mean[0], mean[1],
          ChartStyle.dark(line.color())).setShowInLegend(false);
    }
  }
}
