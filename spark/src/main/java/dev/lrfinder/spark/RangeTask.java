package dev.lrfinder.spark;

import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StopReason;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task of a range-test grid: cell {@code index} (one optimizer, one seed) on a model
 * of {@link ExecutorModels} from the state right after loading, with Spark's retries as
 * {@link TaskAttempt} follows them: the last attempt Spark allows returns the error, so that
 * the cell is reported failed and the other cells still count.
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
    return TaskAttempt.run(inputs, index, maxFailures, hook, (model, attempts, executor) -> {
      RangeTestResult result = model.rangeTest(cells.get(index), new CancellationToken());
      for (OptimizerCurve curve : result.curves()) {
        if (curve.stopReason() == StopReason.INTERRUPTED
            || curve.stopReason() == StopReason.CANCELLED) {
          throw TaskAttempt.interrupted();
        }
      }
      return new CellRecord(index, result, null);
    }, (attempts, executor, error) -> new CellRecord(index, null, error + " (" + attempts
        + (attempts == 1 ? " attempt" : " attempts") + ", last on executor " + executor + ")"));
  }
}
