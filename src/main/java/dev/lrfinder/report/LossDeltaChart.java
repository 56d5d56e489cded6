package dev.lrfinder.report;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.suggest.Curve;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.LossDelta;
import dev.lrfinder.suggest.Suggestion;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Seed 000's second chart: the change of the smoothed loss per step, averaged over 20 steps
 * ({@link LossDelta}), against the learning rate, one line per optimizer, with a marker at each
 * {@code loss_delta} suggestion. Below zero the loss is falling; the lowest point is where it
 * falls fastest. The y axis shows the dip and as much of the rise as the dip is deep.
 */
final class LossDeltaChart {
  static final String FILE_NAME = "loss_delta_vs_lr.png";
  static final int SMA = 20;

  private LossDeltaChart() {}

  /** One optimizer's finite deltas against the learning rates they belong to. */
  private record Deltas(String optimizer, Color color, double[] lrs, double[] deltas) {

    static Deltas of(OptimizerCurve curve, Color color, RangeTestAnalysis analysis) {
      Curve all = analysis.optimizer(curve.optimizer()).finite();
      LossDelta rule = new LossDelta(SMA);
      double[] lrs = new double[all.size()];
      double[] deltas = new double[all.size()];
      int size = 0;
      for (int i = 0; i < all.size(); i++) {
        double delta = rule.delta(all, i);
        if (!Double.isNaN(delta)) {
          lrs[size] = all.lr(i);
          deltas[size++] = delta;
        }
      }
      return new Deltas(curve.optimizer(), color, Arrays.copyOf(lrs, size),
          Arrays.copyOf(deltas, size));
    }
  }

  static XYChart draw(ReportInput input) {
    List<Deltas> lines = new ArrayList<>();
    List<OptimizerCurve> curves = input.result().curves();
    for (int i = 0; i < curves.size(); i++) {
      Deltas deltas = Deltas.of(curves.get(i), ChartStyle.color(i), input.analysis());
      if (deltas.lrs().length > 0) {
        lines.add(deltas);
      }
    }
    double lowest = lines.stream().flatMapToDouble(d -> Arrays.stream(d.deltas())).min()
        .orElse(Double.NaN);
    double highest = lines.stream().flatMapToDouble(d -> Arrays.stream(d.deltas())).max()
        .orElse(Double.NaN);
    double bottom = Math.min(lowest, 0);
    double top = Math.max(0, lowest < 0 ? Math.min(highest, -lowest) : highest);
    double span = top - bottom > 0 ? top - bottom : 1e-9;
    double yMin = bottom - 0.06 * span;
    double yMax = top + 0.06 * span;
    boolean cut = highest > yMax;

    XYChart chart = ChartStyle.chart(input.modelName() + ": loss change per step vs learning rate",
        "learning rate (log scale)", "change of the smoothed loss per step (" + SMA
            + "-step average)" + (cut ? "; axis cut at " + Format.compact(yMax) : ""));
    chart.getStyler().setXAxisLogarithmic(true);
    double startLr = input.result().config().startLr();
    double endLr = input.result().config().endLr();
    if (lines.isEmpty()) {
      return Charts.nothingToDraw(chart, startLr, endLr, true);
    }

    double xMin = lines.stream().flatMapToDouble(d -> Arrays.stream(d.lrs())).min().orElse(startLr);
    double xMax = lines.stream().flatMapToDouble(d -> Arrays.stream(d.lrs())).max().orElse(endLr);
    Names names = new Names();
    ChartStyle.dashed(chart, names.unique("zero"), new double[] {xMin, xMax}, new double[] {0, 0},
        new Color(0x888888)).setShowInLegend(false);
    for (Deltas line : lines) {
      double[][] clipped = PlotMath.clip(line.lrs(), line.deltas(), yMin - span, yMax + span, true);
      if (PlotMath.anyFinite(clipped[1])) {
        ChartStyle.line(chart, names.unique(line.optimizer()), clipped[0], clipped[1],
            line.color(), 2.5f);
      }
      Suggestion suggestion = input.suggestion(line.optimizer(), LossDelta.NAME).orElse(null);
      if (suggestion != null && suggestion.found()) {
        double lr = suggestion.learningRate();
        double y = PlotMath.interpolateLogX(line.lrs(), line.deltas(), lr);
        if (Double.isFinite(y)) {
          ChartStyle.points(chart,
              names.unique(line.optimizer() + " " + LossDelta.NAME + " " + Format.lr(lr)),
              new double[] {lr}, new double[] {y}, ChartStyle.dark(line.color()),
              SeriesMarkers.CIRCLE);
          xMin = Math.min(xMin, lr);
          xMax = Math.max(xMax, lr);
        }
      }
    }
    Charts.logRange(chart, xMin, xMax, true);
    Charts.linearY(chart, yMin, yMax);
    return chart;
  }
}
