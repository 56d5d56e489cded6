package dev.lrfinder.spark;

import dev.lrfinder.lab.LoadedSweep;
import dev.lrfinder.lab.SweepJob;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * What every lrfinder task does around its work ({@link RunTask}, {@link RangeTask}): it reads
 * Spark's attempt number and the executor, calls the tests' hook, borrows a model of
 * {@link ExecutorModels} (given back after a success, discarded after a failure) and follows
 * Spark's retries. A failed attempt throws, so that Spark retries it; the last attempt Spark
 * allows ({@code maxFailures}) returns the error as a record instead, so that the task is reported
 * failed and the others still count. A task Spark interrupted (its job was cancelled) throws.
 */
final class TaskAttempt {
  private TaskAttempt() {}

  /** The task's work on the borrowed model; it throws to fail the attempt. */
  interface Work<R> {
    /**
     * The task's record.
     *
     * @param model the borrowed model, at the state right after loading
     * @param attempts the attempts so far, this one included
     * @param executor the executor's id ("?" outside Spark)
     */
    R run(LoadedSweep model, int attempts, String executor);
  }

  /** The record of a task whose last allowed attempt failed. */
  interface Failure<R> {
    /**
     * The failed task's record.
     *
     * @param attempts the attempts made, the last one included
     * @param executor the executor's id ("?" outside Spark)
     * @param error the error in one line ({@link #describe})
     */
    R failed(int attempts, String executor, String error);
  }

  /** Runs one attempt of task {@code index} on a model opened from {@code inputs}. */
  static <R> R run(SweepJob.Inputs inputs, int index, int maxFailures, TaskHook hook,
      Work<R> work, Failure<R> failure) {
    TaskContext context = TaskContext.get();
    int attempt = context == null ? 0 : context.attemptNumber();
    String executor = SparkEnv.get() == null ? "?" : SparkEnv.get().executorId();
    LoadedSweep loaded = null;
    try {
      hook.beforeRun(index, attempt);
      loaded = ExecutorModels.borrow(ShippedFiles.locate(inputs));
      R record = work.run(loaded, attempt + 1, executor);
      ExecutorModels.giveBack(loaded);
      return record;
    } catch (RuntimeException e) {
      if (loaded != null) {
        ExecutorModels.discard(loaded);
      }
      if (attempt + 1 < maxFailures || Thread.currentThread().isInterrupted()) {
        throw e; // a retry, or a task Spark killed (its job was cancelled)
      }
      return failure.failed(attempt + 1, executor, describe(e));
    }
  }

  /** Thrown by a task's work whose run stopped because Spark interrupted the task. */
  static IllegalStateException interrupted() {
    // Spark interrupts a task it kills: what the run stopped with is not its result.
    return new IllegalStateException("the task was interrupted");
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
