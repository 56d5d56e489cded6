package dev.lrfinder.suggest;

import dev.lrfinder.rangetest.RateCandidate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The distinct suggested rates worth verifying by training: every found suggestion except the
 * cyclical bounds ({@code cyclical_base}, {@code cyclical_max}: the two ends of a cyclical
 * schedule, not rates to train at for a fixed number of steps). Rates within
 * {@link #RELATIVE_TOLERANCE} of each other count once, with all their rules.
 */
public final class Candidates {
  /**
   * Two rates count as one when {@code |a - b| <= 1e-6 * max(a, b)}: rules that pick the same
   * point of the curve give the same double, and a rule that divides by ten ({@code minimum})
   * lands on another point only up to rounding.
   */
  public static final double RELATIVE_TOLERANCE = 1e-6;

  /** Rules whose values are bounds of a schedule, not a rate to train at. */
  public static final Set<String> NOT_VERIFIED = Set.of(CyclicalBounds.BASE, CyclicalBounds.MAX);

  private Candidates() {}

  /** The distinct rates of {@code suggestions}, in the order of their first rule. */
  public static List<RateCandidate> of(List<Suggestion> suggestions) {
    List<Double> rates = new ArrayList<>();
    List<List<String>> rules = new ArrayList<>();
    for (Suggestion s : suggestions) {
      if (!s.found() || NOT_VERIFIED.contains(s.rule())) {
        continue;
      }
      int same = -1;
      for (int i = 0; i < rates.size() && same < 0; i++) {
        if (equal(rates.get(i), s.learningRate())) {
          same = i;
        }
      }
      if (same < 0) {
        rates.add(s.learningRate());
        rules.add(new ArrayList<>(List.of(s.rule())));
      } else {
        rules.get(same).add(s.rule());
      }
    }
    List<RateCandidate> candidates = new ArrayList<>();
    for (int i = 0; i < rates.size(); i++) {
      candidates.add(new RateCandidate(rates.get(i), rules.get(i)));
    }
    return List.copyOf(candidates);
  }

  /** Every optimizer's distinct rates, in the analysis's order; optimizers with none left out. */
  public static Map<String, List<RateCandidate>> of(RangeTestAnalysis analysis) {
    Map<String, List<RateCandidate>> all = new LinkedHashMap<>();
    for (String optimizer : analysis.optimizers()) {
      List<RateCandidate> candidates = of(analysis.suggestionsFor(optimizer));
      if (!candidates.isEmpty()) {
        all.put(optimizer, candidates);
      }
    }
    return all;
  }

  static boolean equal(double a, double b) {
    return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }
}
