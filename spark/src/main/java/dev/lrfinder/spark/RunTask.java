package dev.lrfinder.spark;

import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.rangetest.CancellationToken;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task: run {@code index} of the job, trained in the executor on a model of
 * {@link ExecutorModels} from the state right after loading (the model and data found where
 * {@link ShippedFiles} looks), with Spark's retries as {@link TaskAttempt} follows them: the
 * last attempt Spark allows returns the error, so that the run is reported as failed and the
 * other runs still count.
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
    return TaskAttempt.run(job.inputs(), index, maxFailures, hook, (model, attempts, executor) -> {
      TrainingResult result = model.run(job.plan(), index, new CancellationToken());
      if (result.stopReason() == StopReason.INTERRUPTED
          || result.stopReason() == StopReason.CANCELLED) {
        throw TaskAttempt.interrupted();
      }
      return RunRecord.of(index, attempts, executor, result);
    }, (attempts, executor, error) -> RunRecord.failed(index, attempts, executor, error));
  }
}
