package dev.lrfinder.spark;

import dev.lrfinder.lab.LoadedSweep;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StopReason;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task of a range-test grid: cell {@code index} (one optimizer, one seed) on a model
 * of {@link ExecutorModels} from the state right after loading. A failed attempt throws, so that
 * Spark retries it; the last attempt Spark allows ({@code maxFailures}) returns the error
 * instead, so that the cell is reported failed and the other cells still count.
 *
 * @param inputs the model and data (paths only)
 * @param cells each cell's config, naming one optimizer and its seed
 * @param maxFailures the attempts Spark allows a task (see {@link SparkSweep#maxFailures})
 * @param hook the tests' seam ({@link TaskHook#NONE} in the product)
 */
record RangeTask(SweepJob.Inputs inputs, List<RangeTestConfig> cells, int maxFailures,
    TaskHook hook) implements Function<Integer, RangeTask.CellRecord> {
  private static final long serialVersionUID = 1L;

  /**
   * What a cell's task sends back: its result (one curve) or its last attempt's error.
   *
   * @param index the cell's index in the grid (seed-major)
   * @param result the cell's result, or {@code null} when it failed
   * @param error the error with its attempts and executor, or {@code null} when it ran
   */
  record CellRecord(int index, RangeTestResult result, String error) implements Serializable {
    private static final long serialVersionUID = 1L;

    CellRecord {
      if ((result == null) == (error == null)) {
        throw new IllegalArgumentException("a cell record holds a result or an error");
      }
    }
  }

  @Override
  public CellRecord call(Integer index) {
    TaskContext context = TaskContext.get();
    int attempt = context == null ? 0 : context.attemptNumber();
    String executor = SparkEnv.get() == null ? "?" : SparkEnv.get().executorId();
    LoadedSweep loaded = null;
    try {
      hook.beforeRun(index, attempt);
      loaded = ExecutorModels.borrow(ShippedFiles.locate(inputs));
      RangeTestResult result = loaded.rangeTest(cells.get(index), new CancellationToken());
      for (OptimizerCurve curve : result.curves()) {
        if (curve.stopReason() == StopReason.INTERRUPTED
            || curve.stopReason() == StopReason.CANCELLED) {
          // Spark interrupts a task it kills: not a result of the cell.
          throw new IllegalStateException("the task was interrupted");
        }
      }
      ExecutorModels.giveBack(loaded);
      return new CellRecord(index, result, null);
    } catch (RuntimeException e) {
      if (loaded != null) {
        ExecutorModels.discard(loaded);
      }
      if (attempt + 1 < maxFailures || Thread.currentThread().isInterrupted()) {
        throw e;
      }
      return new CellRecord(index, null, RunTask.describe(e) + " (" + (attempt + 1)
          + (attempt == 0 ? " attempt" : " attempts") + ", last on executor " + executor + ")");
    }
  }
}
