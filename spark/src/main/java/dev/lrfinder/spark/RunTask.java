package dev.lrfinder.spark;

import dev.lrfinder.lab.LoadedSweep;
import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.rangetest.CancellationToken;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task: run {@code index} of the job, trained in the executor on a model of
 * {@link ExecutorModels} from the state right after loading (the model and data found where
 * {@link ShippedFiles} looks). An attempt that fails throws, so
 * that Spark retries it; the last attempt Spark allows ({@code maxFailures}) returns the error
 * instead, so that the run is reported as failed and the other runs still count.
 *
 * @param job the sweep (settings and paths only: no model bytes)
 * @param maxFailures the attempts Spark allows a task (see {@link SparkSweep#maxFailures})
 * @param hook the tests' seam ({@link TaskHook#NONE} in the product)
 */
record RunTask(SweepJob job, int maxFailures, TaskHook hook)
    implements Function<Integer, RunRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public RunRecord call(Integer index) {
    TaskContext context = TaskContext.get();
    int attempt = context == null ? 0 : context.attemptNumber();
    String executor = SparkEnv.get() == null ? "?" : SparkEnv.get().executorId();
    LoadedSweep loaded = null;
    try {
      hook.beforeRun(index, attempt);
      loaded = ExecutorModels.borrow(ShippedFiles.locate(job.inputs()));
      TrainingResult result = loaded.run(job.plan(), index, new CancellationToken());
      if (result.stopReason() == StopReason.INTERRUPTED
          || result.stopReason() == StopReason.CANCELLED) {
        // Spark interrupts a task it kills: not a result of the run.
        throw new IllegalStateException("the task was interrupted");
      }
      ExecutorModels.giveBack(loaded);
      return RunRecord.of(index, attempt + 1, executor, result);
    } catch (RuntimeException e) {
      if (loaded != null) {
        ExecutorModels.discard(loaded);
      }
      if (attempt + 1 < maxFailures || Thread.currentThread().isInterrupted()) {
        throw e; // a retry, or a task Spark killed (its job was cancelled)
      }
      return RunRecord.failed(index, attempt + 1, executor, describe(e));
    }
  }

  /** The error in one line: its message, or its kind when it has none. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return "an internal error (" + e.getClass().getSimpleName() + ")";
    }
    return message.lines().findFirst().orElse(message).strip();
  }
}
