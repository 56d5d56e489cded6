package dev.lrfinder.lab;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestResult;
import java.util.List;
import java.util.Objects;

/**
 * What a distributed backend gives back for a range-test grid (every optimizer x seed of
 * {@code find --repeats K} a task, {@link SweepBackend#rangeTests}): the seeds' results, each
 * with the curves of the cells that ran, and the cells that failed on every attempt with their
 * errors. A seed none of whose cells ran has no result.
 *
 * @param results one result per seed with at least one curve, in seed order, its curves in the
 *     optimizers' order (a failed optimizer's curve left out)
 * @param failed the cells that failed on every attempt, in grid order (seed, then optimizer)
 */
public record RangeTestGrid(List<RangeTestResult> results, List<FailedCell> failed) {
  public RangeTestGrid {
    results = List.copyOf(results);
    failed = List.copyOf(failed);
  }

  /**
   * One optimizer x seed that failed on every attempt the backend allows.
   *
   * @param error the last attempt's error, in one line, with the attempts it took
   */
  public record FailedCell(String optimizer, long seed, String error) {
    public FailedCell {
      Objects.requireNonNull(optimizer, "optimizer");
      Objects.requireNonNull(error, "error");
    }

    /** {@code optimizer 'adam', seed 43: <error>}. */
    public String describe() {
      return "optimizer '" + optimizer + "', seed " + seed + ": " + error;
    }
  }

  /** Whether no cell ran: there is nothing to analyse. */
  public boolean allFailed() {
    return results.isEmpty();
  }

  /**
   * Told of each cell as its result comes back to the driver, in completion order, on the
   * thread that asked for the grid.
   */
  @FunctionalInterface
  public interface Listener {
    /** No listener. */
    Listener NONE = (done, total, optimizer, seed, curve, error) -> {};

    /**
     * Cell {@code optimizer} x {@code seed} is back, the {@code done}-th of {@code total}.
     *
     * @param curve its curve, or {@code null} when it failed
     * @param error its error, or {@code null} when it ran
     */
    void onCell(int done, int total, String optimizer, long seed, OptimizerCurve curve,
        String error);
  }
}
