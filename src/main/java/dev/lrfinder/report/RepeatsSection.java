package dev.lrfinder.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.suggest.RepeatedRuns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's parts for a range test repeated with K batch orders ({@code find --repeats K}):
 * the {@code repeats} object of {@code result.json}, {@code repeats.csv} and the page's table of
 * each rule's suggestion per repeat and its spread.
 */
public final class RepeatsSection {
  public static final String CSV_FILE_NAME = "repeats.csv";
  public static final String CSV_HEADER =
      "optimizer,seed,step,lr,loss,smoothed,band_mean,band_min,band_max";

  private RepeatsSection() {}

  /** One rule's line of the page's spread table. */
  record Row(String rule, List<String> rates, String spread, boolean flagged) {}

  /** One optimizer's spread table. */
  record Table(String color, String optimizer, List<Row> rows) {}

  /** What the page shows, or null without repeats. */
  record Page(int count, List<String> seeds, String firstSeed, String threshold,
      List<Table> tables) {}

  static Page page(ReportInput input) {
    RepeatedRuns repeats = input.repeats();
    if (repeats == null) {
      return null;
    }
    List<Table> tables = new ArrayList<>();
    List<String> optimizers = repeats.optimizers();
    for (int i = 0; i < optimizers.size(); i++) {
      List<Row> rows = new ArrayList<>();
      for (RepeatedRuns.RuleSpread s : repeats.spreads(optimizers.get(i))) {
        rows.add(new Row(s.rule(), s.rates().stream()
            .map(r -> Double.isNaN(r) ? Format.NONE : Format.lr(r)).toList(),
            Double.isNaN(s.decadesSpread()) ? Format.NONE
                : String.format(Locale.ROOT, "%.2f (\u00d7%.3g)", s.decadesSpread(), s.ratio()),
            s.flagged()));
      }
      tables.add(new Table(ChartStyle.cssColor(i), optimizers.get(i), rows));
    }
    List<String> seeds = repeats.seeds().stream().map(String::valueOf).toList();
    return new Page(repeats.repeats(), seeds, seeds.get(0),
        Format.value(RepeatedRuns.SPREAD_FLAG_DECADES), tables);
  }

  /** The {@code repeats} object of {@code result.json}. */
  static ObjectNode json(RepeatedRuns repeats) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("count", repeats.repeats());
    ArrayNode seeds = node.putArray("seeds");
    repeats.seeds().forEach(seeds::add);
    node.put("band", "min-max");
    node.put("spread_flag_decades", RepeatedRuns.SPREAD_FLAG_DECADES);
    ArrayNode optimizers = node.putArray("optimizers");
    for (String optimizer : repeats.optimizers()) {
      ObjectNode item = optimizers.addObject();
      item.put("optimizer", optimizer);
      RepeatedRuns.Band band = repeats.band(optimizer);
      ObjectNode bandNode = item.putObject("band");
      bandNode.put("from_step", band.from());
      bandNode.set("lr", numbers(band.lrs()));
      bandNode.set("mean", numbers(band.mean()));
      bandNode.set("min", numbers(band.min()));
      bandNode.set("max", numbers(band.max()));
      ArrayNode rules = item.putArray("rules");
      for (RepeatedRuns.RuleSpread s : repeats.spreads(optimizer)) {
        ObjectNode rule = rules.addObject();
        rule.put("rule", s.rule());
        ArrayNode rates = rule.putArray("lr_per_repeat");
        s.rates().forEach(rates::add);
        rule.put("decades_spread", s.decadesSpread());
        rule.put("max_over_min", s.ratio());
        rule.put("flagged", s.flagged());
      }
      ArrayNode runs = item.putArray("runs");
      for (RangeTestResult run : repeats.runs()) {
        run.curves().stream().filter(c -> c.optimizer().equals(optimizer)).findFirst()
            .ifPresent(curve -> {
              ObjectNode r = runs.addObject();
              r.put("seed", run.config().seed());
              r.put("stop_reason", curve.stopReason().name());
              r.put("steps_run", curve.stepsRun());
              r.set("loss", numbers(curve.lossArray()));
              r.set("smoothed", numbers(curve.smoothedArray()));
            });
      }
    }
    return node;
  }

  /**
   * {@code repeats.csv}: {@link #CSV_HEADER}, one line per step of every repeat; the band's
   * mean, min and max fill the steps inside the band (the same on each repeat's line).
   */
  public static String csv(RepeatedRuns repeats) {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (String optimizer : repeats.optimizers()) {
      RepeatedRuns.Band band = repeats.band(optimizer);
      double[] mean = band.mean();
      double[] min = band.min();
      double[] max = band.max();
      for (RangeTestResult run : repeats.runs()) {
        OptimizerCurve curve = run.curves().stream()
            .filter(c -> c.optimizer().equals(optimizer)).findFirst().orElse(null);
        if (curve == null) {
          continue;
        }
        for (int step = 0; step < curve.stepsRun(); step++) {
          out.append(CurvesCsv.cell(optimizer)).append(',').append(run.config().seed())
              .append(',').append(step).append(',')
              .append(CurvesCsv.number(curve.learningRates().get(step))).append(',')
              .append(CurvesCsv.number(curve.losses().get(step))).append(',')
              .append(CurvesCsv.number(curve.smoothedLosses().get(step)));
          int at = step - band.from();
          boolean inBand = at >= 0 && at < band.size();
          for (double[] column : List.of(mean, min, max)) {
            out.append(',').append(inBand ? CurvesCsv.number(column[at]) : "");
          }
          out.append('\n');
        }
      }
    }
    return out.toString();
  }

  private static ArrayNode numbers(double[] values) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode(values.length);
    for (double v : values) {
      array.add(v);
    }
    return array;
  }
}
