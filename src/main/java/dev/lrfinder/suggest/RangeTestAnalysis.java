package dev.lrfinder.suggest;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a range test's curves say, worked out once: per optimizer the curve the rules read (the
 * skip window), whether its loss fell ({@link Descent}) and every rule's suggestion. The CLI and
 * {@code dev.lrfinder.FinderResult} build it and hand it on; the report and the JSON only read
 * it. Immutable.
 */
public final class RangeTestAnalysis {

  /**
   * One optimizer's reading.
   *
   * @param window the curve the rules read: smoothed losses cut at the first non-finite point,
   *     without the skipped points, with the raw losses for the descent's noise estimate
   * @param finite every point up to the first non-finite one, nothing skipped (for plots)
   * @param suggestions every rule's suggestion, in rule order
   */
  public record OptimizerAnalysis(String optimizer, Curve window, Curve finite,
      List<Suggestion> suggestions) {
    public OptimizerAnalysis {
      suggestions = List.copyOf(suggestions);
    }

    /** Whether and how far the loss fell (the rules give none when it did not). */
    public Descent descent() {
      return window.descent();
    }

    /** Whether the curve is long enough to judge and its loss never fell. */
    public boolean neverFell() {
      Descent descent = descent();
      return !descent.fell() && !Double.isNaN(descent.threshold());
    }

    /** The suggestion of rule {@code rule}, if that rule ran. */
    public Optional<Suggestion> suggestion(String rule) {
      return suggestions.stream().filter(s -> s.rule().equals(rule)).findFirst();
    }
  }

  private final int skipBegin;
  private final int skipEnd;
  private final AnalysisSettings settings;
  private final Map<String, OptimizerAnalysis> optimizers;

  private RangeTestAnalysis(int skipBegin, int skipEnd, AnalysisSettings settings,
      Map<String, OptimizerAnalysis> optimizers) {
    this.skipBegin = skipBegin;
    this.skipEnd = skipEnd;
    this.settings = settings;
    this.optimizers = Collections.unmodifiableMap(new LinkedHashMap<>(optimizers));
  }

  /** Reads every curve of {@code result} with {@code settings}. */
  public static RangeTestAnalysis of(RangeTestResult result, AnalysisSettings settings) {
    int skipBegin = result.skipBegin();
    int skipEnd = settings.skipEndFor(result.plannedSteps());
    double beta = result.config().beta();
    Map<String, OptimizerAnalysis> all = new LinkedHashMap<>();
    for (OptimizerCurve curve : result.curves()) {
      double[] lrs = curve.learningRateArray();
      double[] smoothed = curve.smoothedArray();
      Curve window = Curve.of(lrs, smoothed, curve.lossArray(), beta, skipBegin, skipEnd);
      Curve finite = Curve.of(lrs, smoothed, 0, 0);
      all.put(curve.optimizer(), new OptimizerAnalysis(curve.optimizer(), window, finite,
          Suggestions.apply(settings.rules(), window)));
    }
    return new RangeTestAnalysis(skipBegin, skipEnd, settings, all);
  }

  /** Reads every curve of {@code result} with the default settings. */
  public static RangeTestAnalysis of(RangeTestResult result) {
    return of(result, AnalysisSettings.defaults());
  }

  /**
   * This analysis with the suggestions of {@code suggestions} (by optimizer) instead of the
   * rules' own, e.g. ones made elsewhere; an optimizer it does not name gets none.
   */
  public RangeTestAnalysis withSuggestions(Map<String, List<Suggestion>> suggestions) {
    Map<String, OptimizerAnalysis> replaced = new LinkedHashMap<>();
    optimizers.forEach((key, a) -> replaced.put(key, new OptimizerAnalysis(key, a.window(),
        a.finite(), suggestions.getOrDefault(key, List.of()))));
    return new RangeTestAnalysis(skipBegin, skipEnd, settings, replaced);
  }

  /** Points left out at the start (the config's {@code skipBegin}, resolved for the run). */
  public int skipBegin() {
    return skipBegin;
  }

  /** Points left out at the end (the settings' skip, resolved for the run). */
  public int skipEnd() {
    return skipEnd;
  }

  public AnalysisSettings settings() {
    return settings;
  }

  /** The optimizers, in the result's order. */
  public List<String> optimizers() {
    return List.copyOf(optimizers.keySet());
  }

  /**
   * The reading of {@code optimizer}.
   *
   * @throws IllegalArgumentException when the result has no curve of it
   */
  public OptimizerAnalysis optimizer(String optimizer) {
    OptimizerAnalysis analysis = optimizers.get(optimizer);
    if (analysis == null) {
      throw new IllegalArgumentException("no curve for optimizer '" + optimizer + "'; the"
          + " result has " + String.join(", ", optimizers.keySet()));
    }
    return analysis;
  }

  /** Every optimizer's suggestions, in the result's order. */
  public Map<String, List<Suggestion>> suggestions() {
    Map<String, List<Suggestion>> all = new LinkedHashMap<>();
    optimizers.forEach((key, a) -> all.put(key, a.suggestions()));
    return Collections.unmodifiableMap(all);
  }

  /** The suggestions for {@code optimizer}, in rule order; empty when it has no curve. */
  public List<Suggestion> suggestionsFor(String optimizer) {
    OptimizerAnalysis analysis = optimizers.get(optimizer);
    return analysis == null ? List.of() : analysis.suggestions();
  }

  /** The suggestion of rule {@code rule} for {@code optimizer}, if that rule ran. */
  public Optional<Suggestion> suggestion(String optimizer, String rule) {
    return suggestionsFor(optimizer).stream().filter(s -> s.rule().equals(rule)).findFirst();
  }

  /** {@code <optimizer>: <why>} for each optimizer whose loss never fell. */
  public List<String> neverFell() {
    List<String> lines = new ArrayList<>();
    optimizers.values().stream().filter(OptimizerAnalysis::neverFell)
        .forEach(a -> lines.add(a.optimizer() + ": " + a.descent().reason()));
    return List.copyOf(lines);
  }
}
