package dev.lrfinder.suggest;

import java.util.List;

/**
 * How a range test's curves are read, beyond what the engine itself used: the points left out at
 * the end and the rules that suggest. (The points left out at the start are the config's
 * {@code skipBegin}, because the engine's stop factor uses the same window: the stop and the
 * rules see the same curve.)
 *
 * @param skipEnd points left out at the end of each curve (the last one usually shows the
 *     blow-up)
 * @param rules the suggestion rules, in the order their suggestions are listed
 */
public record AnalysisSettings(int skipEnd, List<SuggestionRule> rules) {
  /** fast.ai's and seed 002's: the last point is left out. */
  public static final int DEFAULT_SKIP_END = 1;

  public AnalysisSettings {
    if (skipEnd < 0) {
      throw new IllegalArgumentException("skip end must be >= 0, got " + skipEnd);
    }
    rules = List.copyOf(rules);
  }

  /** The default skip and {@link Suggestions#defaultRules()}. */
  public static AnalysisSettings defaults() {
    return new AnalysisSettings(DEFAULT_SKIP_END, Suggestions.defaultRules());
  }

  /** These settings with {@code skipEnd} points left out at the end. */
  public AnalysisSettings withSkipEnd(int skipEnd) {
    return new AnalysisSettings(skipEnd, rules);
  }

  /** These settings with {@code rules} instead. */
  public AnalysisSettings withRules(List<SuggestionRule> rules) {
    return new AnalysisSettings(skipEnd, rules);
  }
}
