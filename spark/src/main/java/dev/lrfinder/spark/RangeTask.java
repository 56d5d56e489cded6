package dev.lrfinder.spark;

import dev.lrfinder.lab.LoadedSweep;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StopReason;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task of a range-test grid: cell {@code index} (one optimizer, one seed) on a model
 * of {@link ExecutorModels} from the state right after loading. A failed attempt throws, so that
 * Spark retries it; a cell that fails every attempt fails the job.
 *
 * @param inputs the model and data (paths only)
 * @param cells each cell's config, naming one optimizer and its seed
 * @param hook the tests' seam ({@link TaskHook#NONE} in the product)
 */
record RangeTask(SweepJob.Inputs inputs, List<RangeTestConfig> cells, TaskHook hook)
    implements Function<Integer, RangeTestResult> {
  private static final long serialVersionUID = 1L;

  @Override
  public RangeTestResult call(Integer index) {
    TaskContext context = TaskContext.get();
    hook.beforeRun(index, context == null ? 0 : context.attemptNumber());
    LoadedSweep loaded = ExecutorModels.borrow(ShippedFiles.locate(inputs));
    try {
      RangeTestResult result = loaded.rangeTest(cells.get(index), new CancellationToken());
      for (OptimizerCurve curve : result.curves()) {
        if (curve.stopReason() == StopReason.INTERRUPTED
            || curve.stopReason() == StopReason.CANCELLED) {
          throw new IllegalStateException("the task was interrupted");
        }
      }
      ExecutorModels.giveBack(loaded);
      return result;
    } catch (RuntimeException e) {
      ExecutorModels.discard(loaded);
      throw e;
    }
  }
}
