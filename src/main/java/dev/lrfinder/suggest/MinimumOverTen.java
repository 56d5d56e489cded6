package dev.lrfinder.suggest;

import java.util.List;

/** fast.ai's and ktrain's {@code minimum}: the learning rate of the lowest loss, divided by 10. */
public final class MinimumOverTen implements SuggestionRule {
  public static final String NAME = "minimum";

  @Override
  public List<String> names() {
    return List.of(NAME);
  }

  @Override
  public List<Suggestion> suggest(Curve curve) {
    String refusal = SuggestionRule.refusal(curve, 2);
    if (refusal != null) {
      return List.of(Suggestion.none(NAME, refusal));
    }
    int best = curve.argMinLoss();
    return List.of(Suggestion.of(NAME, curve.lr(best) / 10,
        String.format("lowest loss %.4g at %.3g; one tenth of that", curve.loss(best), curve.lr(best))));
  }
}
