package dev.lrfinder.lab;

import java.util.List;

/**
 * What a sweep did: one {@link TrainingResult} per run that started, in the order of the runs
 * (fewer results than runs when the sweep was cancelled or interrupted). A run that a distributed
 * backend ({@link SweepBackend}) could not complete on any attempt holds a
 * {@link StopReason#FAILED} result with its error ({@link #failedRuns}); the others still count.
 *
 * @param parameter what the runs vary ({@code lr}, {@code momentum}..., {@code runs} for whole
 *     configurations)
 * @param runs the planned runs, in order
 * @param results the result of each run that started, in order
 */
public record SweepResult(String parameter, List<SweepRun> runs, List<TrainingResult> results) {
  public SweepResult {
    runs = List.copyOf(runs);
    results = List.copyOf(results);
    if (results.size() > runs.size()) {
      throw new IllegalArgumentException(results.size() + " results for " + runs.size()
          + " runs");
    }
  }

  /**
   * The runs that failed on every attempt of a distributed backend ({@link StopReason#FAILED}),
   * by index; always empty for a local {@link Sweep}, where a failure propagates.
   */
  public List<Integer> failedRuns() {
    return java.util.stream.IntStream.range(0, results.size())
        .filter(i -> results.get(i).stopReason() == StopReason.FAILED).boxed().toList();
  }

  /** Whether every run started and none was cancelled or interrupted. */
  public boolean complete() {
    return results.size() == runs.size() && results.stream().noneMatch(r ->
        r.stopReason() == StopReason.CANCELLED || r.stopReason() == StopReason.INTERRUPTED);
  }
}
