package dev.lrfinder.suggest;

import java.util.List;

/**
 * How a range test's curves are read, beyond what the engine itself used: the points left out at
 * the end and the rules that suggest. (The points left out at the start are the config's
 * {@code skipBegin}, because the engine's stop factor uses the same window: the stop and the
 * rules see the same curve.)
 *
 * @param skipEnd points left out at the end of each curve (the last one usually shows the
 *     blow-up); {@link #SKIP_AUTO} (the default) means {@link #defaultSkipEnd(long)} of the
 *     planned steps
 * @param rules the suggestion rules, in the order their suggestions are listed
 */
public record AnalysisSettings(int skipEnd, List<SuggestionRule> rules) {
  /** A skip that follows the number of planned steps ({@link #defaultSkipEnd(long)}). */
  public static final int SKIP_AUTO = -1;
  /** The default skip at the end is one point per this many planned steps, at least one. */
  public static final int DEFAULT_SKIP_END_PER = 100;

  public AnalysisSettings {
    if (skipEnd < 0 && skipEnd != SKIP_AUTO) {
      throw new IllegalArgumentException("skip end must be >= 0, got " + skipEnd);
    }
    rules = List.copyOf(rules);
  }

  /** The default (scaling) skip and {@link Suggestions#defaultRules()}. */
  public static AnalysisSettings defaults() {
    return new AnalysisSettings(SKIP_AUTO, Suggestions.defaultRules());
  }

  /**
   * The default number of points left out at the end of a run of {@code plannedSteps}:
   * {@code max(1, plannedSteps / 100)}, i.e. seed 002's single point at the default 100 steps
   * and one per hundred steps beyond (fast.ai leaves out 5 whatever the length; docs/peers.md).
   */
  public static int defaultSkipEnd(long plannedSteps) {
    return Math.toIntExact(Math.max(1, plannedSteps / DEFAULT_SKIP_END_PER));
  }

  /** The points left out at the end of a run of {@code plannedSteps}. */
  public int skipEndFor(long plannedSteps) {
    return skipEnd == SKIP_AUTO ? defaultSkipEnd(plannedSteps) : skipEnd;
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
