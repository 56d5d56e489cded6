package dev.lrfinder.suggest;

import java.util.ArrayList;
import java.util.List;

/** The standard rules and a helper to apply a set of rules to a curve. */
public final class Suggestions {
  private Suggestions() {}

  /** steep, loss_delta (SMA 20), minimum, valley, slide, cyclical_base and cyclical_max. */
  public static List<SuggestionRule> defaultRules() {
    return List.of(new SteepestDescent(), new LossDelta(), new MinimumOverTen(), new Valley(),
        new Slide(), new CyclicalBounds());
  }

  /** Every rule's suggestions for {@code curve}, in rule order. */
  public static List<Suggestion> apply(List<SuggestionRule> rules, Curve curve) {
    List<Suggestion> all = new ArrayList<>();
    for (SuggestionRule rule : rules) {
      List<Suggestion> made = rule.suggest(curve);
      if (made.size() != rule.names().size()) {
        throw new IllegalStateException(rule.getClass().getSimpleName() + " returned "
            + made.size() + " suggestions for " + rule.names().size() + " names");
      }
      all.addAll(made);
    }
    return List.copyOf(all);
  }
}
