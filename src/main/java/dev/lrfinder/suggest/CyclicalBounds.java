package dev.lrfinder.suggest;

import java.util.List;

/**
 * Bounds for cyclical learning rates (Smith 2017; seed 002 reads 1e-5 and 1e-2 off its plot):
 * the base is where the loss starts falling, the maximum where the fall is nearly done, before
 * the minimum and the blow-up. With {@code L0} the first loss of the window and {@code Lmin} its
 * minimum, base = the first learning rate where the loss has dropped by {@code startFraction} of
 * {@code L0 - Lmin}, max = the first where it has dropped by {@code endFraction} (defaults 10% and
 * 90%).
 */
public final class CyclicalBounds implements SuggestionRule {
  public static final String BASE = "cyclical_base";
  public static final String MAX = "cyclical_max";
  private final double startFraction;
  private final double endFraction;

  public CyclicalBounds(double startFraction, double endFraction) {
    if (!(0 < startFraction && startFraction < endFraction && endFraction <= 1)) {
      throw new IllegalArgumentException("need 0 < start fraction < end fraction <= 1");
    }
    this.startFraction = startFraction;
    this.endFraction = endFraction;
  }

  public CyclicalBounds() {
    this(0.1, 0.9);
  }

  @Override
  public List<String> names() {
    return List.of(BASE, MAX);
  }

  @Override
  public List<Suggestion> suggest(Curve curve) {
    String refusal = SuggestionRule.refusal(curve, 3);
    if (refusal != null) {
      return List.of(Suggestion.none(BASE, refusal), Suggestion.none(MAX, refusal));
    }
    int minimum = curve.argMinLoss();
    double fall = curve.loss(0) - curve.loss(minimum);
    int base = firstDrop(curve, minimum, startFraction * fall);
    int max = firstDrop(curve, minimum, endFraction * fall);
    if (max <= base) {
      String reason = "the loss drops too abruptly to separate a base from a maximum";
      return List.of(Suggestion.none(BASE, reason), Suggestion.none(MAX, reason));
    }
    return List.of(
        Suggestion.of(BASE, curve.lr(base), String.format(
            "loss has fallen %.0f%% of its total fall here", 100 * startFraction)),
        Suggestion.of(MAX, curve.lr(max), String.format(
            "loss has fallen %.0f%% of its total fall here", 100 * endFraction)));
  }

  private static int firstDrop(Curve curve, int limit, double drop) {
    for (int i = 0; i <= limit; i++) {
      if (curve.loss(0) - curve.loss(i) >= drop) {
        return i;
      }
    }
    return limit;
  }
}
