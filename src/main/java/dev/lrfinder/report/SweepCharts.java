package dev.lrfinder.report;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.TrainingResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;

/**
 * The charts of a sweep, in the training report's look ({@link TrainingCharts},
 * {@link ChartStyle}): small multiples (one panel per run, training solid and validation dashed,
 * every panel on the same axes so that panels compare) of the loss and of each metric, an
 * overlay of every run's loss and each metric, and every run's learning rate per epoch.
 */
final class SweepCharts {
  /** A panel of the small multiples: half the width of a full chart. */
  static final int PANEL_WIDTH = 600;
  static final int PANEL_HEIGHT = 420;
  static final String RATE_FILE = "lr_vs_epoch.png";

  private SweepCharts() {}

  /** A chart with its file name and the caption the page shows under it. */
  record Drawn(String file, String caption, XYChart chart) {}

  /** One grid of small multiples: a quantity, one panel per run. */
  record Grid(String key, List<Drawn> panels) {}

  /** The quantities drawn: {@code loss}, then each metric of the runs. */
  static List<String> quantities(SweepReportInput input) {
    List<String> keys = new ArrayList<>(List.of("loss"));
    for (String key : SweepMetrics.keys(input.result().results())) {
      if (!key.startsWith("val_") && !key.equals("loss") && !key.endsWith("_loss")) {
        keys.add(key);
      }
    }
    return keys;
  }

  /** The small multiples of {@code key}: one panel per run that started. */
  static Grid grid(SweepReportInput input, String key) {
    List<TrainingResult> results = input.result().results();
    TrainingCharts.Range range = new TrainingCharts.Range();
    List<XYChart> charts = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      XYChart chart = ChartStyle.chart(input.result().runs().get(i).label(), "epoch", key,
          PANEL_WIDTH, PANEL_HEIGHT);
      TrainingCharts.addPair(chart, results.get(i), key, key, 0, range);
      chart.getStyler().setLegendVisible(false);
      charts.add(chart);
    }
    // Every panel on one scale (matplotlib's sharex/sharey), so that the runs compare.
    List<Drawn> panels = new ArrayList<>();
    for (int i = 0; i < charts.size(); i++) {
      TrainingCharts.finish(charts.get(i), epochs(results), range, key.endsWith("loss"));
      panels.add(new Drawn(String.format(Locale.ROOT, "panel_%s_%02d.png", safe(key), i + 1),
          input.result().runs().get(i).label() + (results.get(i).stopReason()
              == dev.lrfinder.lab.StopReason.FAILED ? ": failed on every attempt, no epochs."
              : ": " + key + " per epoch, training (solid)"
              + (results.get(i).validated() ? " and validation (dashed)." : ".")),
          charts.get(i)));
    }
    return new Grid(key, panels);
  }

  /**
   * Every run's {@code key} per epoch in one chart: the validation values when the runs
   * validated (the held-out curve is the one to compare), else the training values.
   */
  static Drawn overlay(SweepReportInput input, String key) {
    List<TrainingResult> results = input.result().results();
    boolean validated = SweepMetrics.validated(results);
    String shown = validated ? "val_" + key : key;
    XYChart chart = ChartStyle.chart(input.modelName() + ": " + shown + " per epoch, every run",
        "epoch", shown);
    TrainingCharts.Range range = new TrainingCharts.Range();
    for (int i = 0; i < results.size(); i++) {
      List<double[]> points = new ArrayList<>();
      for (EpochRecord epoch : results.get(i).epochs()) {
        Double value = epoch.logs().get(shown);
        if (epoch.complete() && value != null && Double.isFinite(value)) {
          points.add(new double[] {epoch.epoch() + 1, value});
        }
      }
      if (!points.isEmpty()) {
        double[] ys = points.stream().mapToDouble(p -> p[1]).toArray();
        ChartStyle.line(chart, input.result().runs().get(i).label(),
            points.stream().mapToDouble(p -> p[0]).toArray(), ys, ChartStyle.color(i), 2.5f);
        range.add(ys);
      }
    }
    TrainingCharts.finish(chart, epochs(results), range, key.endsWith("loss"));
    return new Drawn("overlay_" + safe(shown) + ".png", (validated ? "Validation " : "Training ")
        + key + " per epoch of every run, one color per run.", chart);
  }

  /** Every run's learning rate per epoch (the rate of the epoch's last step). */
  static Drawn rates(SweepReportInput input) {
    List<TrainingResult> results = input.result().results();
    TrainingCharts.Range range = new TrainingCharts.Range();
    List<double[][]> series = new ArrayList<>();
    for (TrainingResult result : results) {
      List<EpochRecord> epochs = result.epochs().stream().filter(EpochRecord::complete)
          .toList();
      double[] xs = epochs.stream().mapToDouble(e -> e.epoch() + 1).toArray();
      double[] ys = epochs.stream().mapToDouble(EpochRecord::learningRate).toArray();
      range.add(ys);
      series.add(new double[][] {xs, ys});
    }
    boolean log = range.min > 0 && range.max / range.min >= 10;
    XYChart chart = ChartStyle.chart(input.modelName() + ": learning rate per epoch, every run",
        "epoch", log ? "learning rate (log scale)" : "learning rate");
    for (int i = 0; i < series.size(); i++) {
      if (series.get(i)[0].length > 0) {
        ChartStyle.line(chart, input.result().runs().get(i).label(), series.get(i)[0],
            series.get(i)[1], ChartStyle.color(i), 2.5f);
      }
    }
    String caption = "Learning rate of each epoch's last step, per run (one color per run).";
    if (!(range.max >= range.min)) {
      return new Drawn(RATE_FILE, caption, Charts.nothingToDraw(chart, 1,
          Math.max(2, epochs(results)), false));
    }
    int last = Math.max(1, epochs(results));
    chart.getStyler().setXAxisMin(1 - 0.02 * Math.max(1, last - 1));
    chart.getStyler().setXAxisMax(last + 0.02 * Math.max(1, last - 1));
    chart.getStyler().setXAxisDecimalPattern("0");
    if (log) {
      chart.getStyler().setYAxisLogarithmic(true);
      Charts.logRange(chart, range.min, range.max, false);
    } else {
      TrainingCharts.linear(chart, range);
    }
    return new Drawn(RATE_FILE, caption, chart);
  }

  /** Every chart of the page in order: the grids, the overlays, the rates. */
  static Map<String, Object> all(SweepReportInput input) {
    Map<String, Object> all = new LinkedHashMap<>();
    List<Grid> grids = quantities(input).stream().map(k -> grid(input, k)).toList();
    List<Drawn> overlays = quantities(input).stream().map(k -> overlay(input, k)).toList();
    all.put("grids", grids);
    all.put("overlays", overlays);
    all.put("rates", rates(input));
    return all;
  }

  /** The longest run's planned epochs: the x axis every chart shares. */
  private static int epochs(List<TrainingResult> results) {
    return results.stream().mapToInt(r -> Math.max(r.config().epochs(), r.epochs().size()))
        .max().orElse(1);
  }

  /** A metric name safe in a file name. */
  private static String safe(String key) {
    return key.replaceAll("[^A-Za-z0-9_]", "_");
  }
}
