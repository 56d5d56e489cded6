package dev.lrfinder.suggest;

import dev.lrfinder.rangetest.RangeTestResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The range test repeated with K batch orders ({@code find --repeats K}, seeds {@code seed},
 * {@code seed + 1}, ...), each from the same start state, read with the same settings: per
 * optimizer the mean smoothed-loss curve with a min-max band, and each rule's suggestion per
 * repeat with its spread. Immutable.
 *
 * <p>The band is the minimum and maximum over the repeats (not the interquartile range: with the
 * few repeats a run affords, 3 to 10, quartiles are the second-lowest and second-highest values
 * or interpolations between them, and min-max is what the repeats actually showed). Mean and band
 * cover the steps where every repeat has a point in its analysis window: from the skipped
 * warm-up to the shortest repeat's last point before the skip at the end (repeats that diverge
 * earlier end the band there, so that the mean never silently drops a repeat).
 */
public final class RepeatedRuns {
  /**
   * A rule is flagged when its suggestions span more than this many decades (log10 of max/min),
   * i.e. a factor of about 3.2. The {@code minimum} rule puts a whole decade of safety margin
   * below the lowest loss (fast.ai's "lowest point / 10"); a rule whose pick moves by more than
   * half of that margin just by reshuffling the batches is telling more about the batch order
   * than about the model.
   */
  public static final double SPREAD_FLAG_DECADES = 0.5;

  /**
   * One optimizer's mean curve and band over steps {@code [from, from + lrs.length)}.
   *
   * @param from the first step of the band (the warm-up window's end)
   */
  public record Band(String optimizer, int from, double[] lrs, double[] mean, double[] min,
      double[] max) {
    public Band {
      lrs = lrs.clone();
      mean = mean.clone();
      min = min.clone();
      max = max.clone();
    }

    @Override
    public double[] lrs() {
      return lrs.clone();
    }

    @Override
    public double[] mean() {
      return mean.clone();
    }

    @Override
    public double[] min() {
      return min.clone();
    }

    @Override
    public double[] max() {
      return max.clone();
    }

    public int size() {
      return lrs.length;
    }
  }

  /**
   * One rule's suggestion per repeat and how far they spread.
   *
   * @param rates per repeat, in seed order; NaN where the rule found none
   * @param decadesSpread {@code log10(max / min)} over the repeats that found a rate; NaN when
   *     none did
   * @param flagged the spread exceeds {@link #SPREAD_FLAG_DECADES}, or the rule found a rate in
   *     some repeats and none in others
   */
  public record RuleSpread(String rule, List<Double> rates, double decadesSpread,
      boolean flagged) {
    public RuleSpread {
      rates = List.copyOf(rates);
    }

    /** Repeats in which the rule found a rate. */
    public long found() {
      return rates.stream().filter(r -> !Double.isNaN(r)).count();
    }

    /** {@code max / min} of the rates found (NaN when none). */
    public double ratio() {
      return Math.pow(10, decadesSpread);
    }
  }

  private final List<RangeTestResult> runs;
  private final List<RangeTestAnalysis> analyses;
  private final Map<String, Band> bands;
  private final Map<String, List<RuleSpread>> spreads;

  private RepeatedRuns(List<RangeTestResult> runs, List<RangeTestAnalysis> analyses,
      Map<String, Band> bands, Map<String, List<RuleSpread>> spreads) {
    this.runs = List.copyOf(runs);
    this.analyses = List.copyOf(analyses);
    this.bands = Collections.unmodifiableMap(new LinkedHashMap<>(bands));
    this.spreads = Collections.unmodifiableMap(new LinkedHashMap<>(spreads));
  }

  /**
   * Reads {@code runs} (one per seed, the first one's optimizers in order) with {@code settings}.
   *
   * @throws IllegalArgumentException for no runs
   */
  public static RepeatedRuns of(List<RangeTestResult> runs, AnalysisSettings settings) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to compare");
    }
    List<RangeTestAnalysis> analyses = runs.stream()
        .map(r -> RangeTestAnalysis.of(r, settings)).toList();
    Map<String, Band> bands = new LinkedHashMap<>();
    Map<String, List<RuleSpread>> spreads = new LinkedHashMap<>();
    // Every optimizer some run has, in the order they first appear: each run's own when every
    // run has all of them; a run of a distributed grid may lack one whose cell failed.
    java.util.Set<String> optimizers = new java.util.LinkedHashSet<>();
    analyses.forEach(a -> optimizers.addAll(a.optimizers()));
    for (String optimizer : optimizers) {
      List<RangeTestAnalysis.OptimizerAnalysis> reads = new ArrayList<>();
      List<RangeTestAnalysis.OptimizerAnalysis> perRun = new ArrayList<>();
      for (RangeTestAnalysis analysis : analyses) {
        RangeTestAnalysis.OptimizerAnalysis read = analysis.optimizers().contains(optimizer)
            ? analysis.optimizer(optimizer) : null;
        perRun.add(read);
        if (read != null) {
          reads.add(read);
        }
      }
      bands.put(optimizer, band(optimizer, reads));
      spreads.put(optimizer, spreads(reads.get(0), perRun));
    }
    return new RepeatedRuns(runs, analyses, bands, spreads);
  }

  private static Band band(String optimizer, List<RangeTestAnalysis.OptimizerAnalysis> reads) {
    int from = reads.get(0).window().pointsBefore();
    int size = reads.stream().mapToInt(r -> r.window().size()).min().orElse(0);
    double[] lrs = new double[size];
    double[] mean = new double[size];
    double[] min = new double[size];
    double[] max = new double[size];
    for (int i = 0; i < size; i++) {
      lrs[i] = reads.get(0).window().lr(i);
      double sum = 0;
      double low = Double.POSITIVE_INFINITY;
      double high = Double.NEGATIVE_INFINITY;
      for (RangeTestAnalysis.OptimizerAnalysis read : reads) {
        double loss = read.window().loss(i);
        sum += loss;
        low = Math.min(low, loss);
        high = Math.max(high, loss);
      }
      mean[i] = sum / reads.size();
      min[i] = low;
      max[i] = high;
    }
    return new Band(optimizer, from, lrs, mean, min, max);
  }

  /**
   * Each rule's rates per run, NaN where the rule found none or the run has no curve of the
   * optimizer ({@code null} in {@code perRun}: its cell failed); the spread and the flag are the
   * runs' that have one.
   */
  private static List<RuleSpread> spreads(RangeTestAnalysis.OptimizerAnalysis first,
      List<RangeTestAnalysis.OptimizerAnalysis> perRun) {
    List<RuleSpread> spreads = new ArrayList<>();
    long present = perRun.stream().filter(java.util.Objects::nonNull).count();
    for (Suggestion rule : first.suggestions()) {
      List<Double> rates = new ArrayList<>();
      for (RangeTestAnalysis.OptimizerAnalysis read : perRun) {
        rates.add(read == null ? Double.NaN : read.suggestion(rule.rule())
            .map(Suggestion::learningRate).orElse(Double.NaN));
      }
      double[] found = rates.stream().mapToDouble(Double::doubleValue)
          .filter(r -> !Double.isNaN(r)).toArray();
      double decades = found.length == 0 ? Double.NaN
          : Math.log10(Arrays.stream(found).max().getAsDouble()
              / Arrays.stream(found).min().getAsDouble());
      boolean partly = found.length > 0 && found.length < present;
      spreads.add(new RuleSpread(rule.rule(), rates, decades,
          partly || decades > SPREAD_FLAG_DECADES));
    }
    return List.copyOf(spreads);
  }

  /** The runs, one per seed, in seed order. */
  public List<RangeTestResult> runs() {
    return runs;
  }

  /** Each run's reading, in seed order. */
  public List<RangeTestAnalysis> analyses() {
    return analyses;
  }

  /** Number of runs. */
  public int repeats() {
    return runs.size();
  }

  /** The seed of each run's batch order, in order. */
  public List<Long> seeds() {
    return runs.stream().map(r -> r.config().seed()).toList();
  }

  /** The optimizers, in the first run's order. */
  public List<String> optimizers() {
    return List.copyOf(bands.keySet());
  }

  /** The mean curve and band of {@code optimizer}. */
  public Band band(String optimizer) {
    Band band = bands.get(optimizer);
    if (band == null) {
      throw new IllegalArgumentException("no repeats of optimizer '" + optimizer + "'");
    }
    return band;
  }

  /** Every rule's spread for {@code optimizer}, in rule order; empty for an unknown one. */
  public List<RuleSpread> spreads(String optimizer) {
    return spreads.getOrDefault(optimizer, List.of());
  }

  /** {@code <optimizer>: <rule> ...} for each flagged rule, one sentence each. */
  public List<String> flagged() {
    List<String> lines = new ArrayList<>();
    spreads.forEach((optimizer, list) -> list.stream().filter(RuleSpread::flagged).forEach(s ->
        lines.add(optimizer + ": " + s.rule() + (s.found() < s.rates().size()
            ? " found a rate in " + s.found() + " of " + s.rates().size() + " batch orders"
            : String.format(java.util.Locale.ROOT,
                " moved %.2f decades (x%.3g) between batch orders", s.decadesSpread(),
                s.ratio())))));
    return List.copyOf(lines);
  }
}
