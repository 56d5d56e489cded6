package dev.lrfinder.suggest;

import java.util.List;

/**
 * fast.ai's {@code steep}: the learning rate where the loss falls fastest per decade, i.e. the
 * left point of {@code argmin_i (loss[i+1] - loss[i]) / (log10 lr[i+1] - log10 lr[i])}. Using
 * log spacing (not the linear learning rate, as early Lightning did) keeps the rule the same for
 * exponential and linear schedules.
 */
public final class SteepestDescent implements SuggestionRule {
  public static final String NAME = "steep";

  @Override
  public List<String> names() {
    return List.of(NAME);
  }

  @Override
  public List<Suggestion> suggest(Curve curve) {
    String refusal = SuggestionRule.refusal(curve, 3);
    if (refusal != null) {
      return List.of(Suggestion.none(NAME, refusal));
    }
    int steepest = -1;
    double steepestSlope = Double.POSITIVE_INFINITY;
    for (int i = 0; i + 1 < curve.size(); i++) {
      double run = Math.log10(curve.lr(i + 1)) - Math.log10(curve.lr(i));
      double slope = (curve.loss(i + 1) - curve.loss(i)) / run;
      if (run > 0 && slope < steepestSlope) {
        steepestSlope = slope;
        steepest = i;
      }
    }
    if (steepest < 0 || steepestSlope >= 0) {
      return List.of(Suggestion.none(NAME, "the loss never falls between two points"));
    }
    return List.of(Suggestion.of(NAME, curve.lr(steepest),
        String.format("loss falls %.3g per decade here", -steepestSlope)));
  }
}
