package dev.lrfinder.suggest;

import java.util.List;

/**
 * Seed 000's rule (keras_lr_finder's {@code get_best_lr}): the simple moving average of the loss
 * change over {@code sma} steps, {@code d_i = (loss_i - loss_{i-sma}) / sma}, and the learning
 * rate where it is lowest. Points of the window that lack {@code sma} predecessors (counting the
 * skipped ones) have no delta.
 */
public final class LossDelta implements SuggestionRule {
  public static final String NAME = "loss_delta";
  private final int sma;

  public LossDelta(int sma) {
    if (sma <= 0) {
      throw new IllegalArgumentException("sma must be positive");
    }
    this.sma = sma;
  }

  public LossDelta() {
    this(20);
  }

  @Override
  public List<String> names() {
    return List.of(NAME);
  }

  /** {@code d_i} for window point {@code i}, or NaN when fewer than {@code sma} points precede it. */
  public double delta(Curve curve, int i) {
    if (i + curve.pointsBefore() < sma) {
      return Double.NaN;
    }
    return (curve.loss(i) - curve.loss(i - sma)) / sma;
  }

  @Override
  public List<Suggestion> suggest(Curve curve) {
    String refusal = SuggestionRule.refusal(curve, 2);
    if (refusal != null) {
      return List.of(Suggestion.none(NAME, refusal));
    }
    int best = -1;
    for (int i = 0; i < curve.size(); i++) {
      double d = delta(curve, i);
      if (!Double.isNaN(d) && (best < 0 || d < delta(curve, best))) {
        best = i;
      }
    }
    if (best < 0) {
      return List.of(Suggestion.none(NAME, "the curve is shorter than the " + sma
          + "-step moving window"));
    }
    if (delta(curve, best) >= 0) {
      return List.of(Suggestion.none(NAME, "the " + sma + "-step loss change is never negative"));
    }
    return List.of(Suggestion.of(NAME, curve.lr(best),
        String.format("loss change over %d steps is lowest here (%.3g per step)", sma,
            delta(curve, best))));
  }
}
