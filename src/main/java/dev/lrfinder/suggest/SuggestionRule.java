package dev.lrfinder.suggest;

import java.util.List;

/**
 * A way to read a learning rate off a range-test curve (like fast.ai's suggestion functions).
 * Rules are pure functions of the curve: the same curve always gives the same suggestions.
 */
public interface SuggestionRule {
  /** The names of the suggestions this rule returns, in order. */
  List<String> names();

  /** One suggestion per name, each possibly {@link Suggestion#none}. */
  List<Suggestion> suggest(Curve curve);

  /** The common refusals: a window too short for the rule, or a loss that never falls. */
  static String refusal(Curve curve, int minimumPoints) {
    if (curve.size() < minimumPoints) {
      return "the curve has " + curve.size() + " usable points after the skips; this rule needs "
          + minimumPoints;
    }
    if (!curve.falls()) {
      return curve.descent().reason();
    }
    return null;
  }
}
