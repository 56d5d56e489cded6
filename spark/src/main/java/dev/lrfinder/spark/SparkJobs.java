package dev.lrfinder.spark;

import java.io.Serializable;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Runs a job of one element per partition on Spark and hands each partition's result to the
 * calling thread as it arrives, in completion order ({@code SparkContext.submitJob}'s result
 * handler, which Spark calls on its scheduler's thread as each task's result comes back).
 *
 * <p>The job runs in a job group of its own with {@code interruptOnCancel}: when the calling
 * thread is interrupted while it waits (the CLI's Ctrl-C, {@code Future.cancel(true)}), the
 * group is cancelled, Spark interrupts the running tasks' threads (the training loops stop at
 * their next step), the call waits for the job to end and its tasks to stop, and throws a
 * {@link CancellationException} with the thread's interrupt flag set.
 */
final class SparkJobs {
  /** How long a cancelled job may take to end before the call gives up waiting for it. */
  static final long CANCEL_WAIT_SECONDS = 30;

  private SparkJobs() {}

  /**
   * Runs {@code rdd}, one element per partition, and gives each partition's element to
   * {@code onResult} on the calling thread as it arrives.
   *
   * @throws CancellationException when the calling thread was interrupted (flag left set)
   * @throws org.apache.spark.SparkException (unchecked here) when Spark gives up on the job
   */
  static <T> void run(JavaSparkContext spark, JavaRDD<T> rdd, String description,
      Consumer<T> onResult) {
    String group = "lrfinder-" + UUID.randomUUID();
    // The calling thread's own job group, if the application set one, comes back after.
    List<String> keys = List.of("spark.jobGroup.id", "spark.job.description",
        "spark.job.interruptOnCancel");
    List<String> before = keys.stream().map(spark::getLocalProperty).toList();
    spark.setJobGroup(group, description, true);
    BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    SimpleFutureAction<BoxedUnit> job;
    try {
      List<Object> partitions = IntStream.range(0, rdd.getNumPartitions()).boxed()
          .map(i -> (Object) i).toList();
      job = spark.sc().submitJob(rdd.rdd(), new OnlyElement<>(),
          JavaConverters.asScalaBufferConverter(partitions).asScala().toSeq(),
          new Enqueue<>(arrived), new Nothing());
    } finally {
      for (int i = 0; i < keys.size(); i++) {
        spark.setLocalProperty(keys.get(i), before.get(i)); // null removes it
      }
    }
    try {
      while (true) {
        Object result = arrived.poll(100, TimeUnit.MILLISECONDS);
        if (result != null) {
          @SuppressWarnings("unchecked")
          T typed = (T) result;
          onResult.accept(typed);
        } else if (job.isCompleted()) {
          // The handler runs before the job completes: what is queued now is all there is.
          Object last;
          while ((last = arrived.poll()) != null) {
            @SuppressWarnings("unchecked")
            T typed = (T) last;
            onResult.accept(typed);
          }
          job.value().get().get(); // throws Spark's failure of the job, if any
          return;
        }
      }
    } catch (InterruptedException e) {
      spark.cancelJobGroup(group);
      awaitEnd(spark, group, job);
      Thread.currentThread().interrupt();
      CancellationException cancelled = new CancellationException("the Spark job was cancelled");
      cancelled.initCause(e);
      throw cancelled;
    }
  }

  /**
   * Waits, up to {@link #CANCEL_WAIT_SECONDS}, for a cancelled job to end and for its tasks to
   * stop running (Spark fails the job at once; its tasks end when their threads notice the
   * interrupt, which the status tracker reports a moment later).
   */
  private static void awaitEnd(JavaSparkContext spark, String group,
      SimpleFutureAction<BoxedUnit> job) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CANCEL_WAIT_SECONDS);
    boolean interrupted = false;
    while ((!job.isCompleted() || running(spark, group)) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException again) {
        interrupted = true; // a second Ctrl-C: keep waiting within the bound
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether a task of the group's jobs is still running, as Spark's status tracker has it. */
  private static boolean running(JavaSparkContext spark, String group) {
    for (int jobId : spark.statusTracker().getJobIdsForGroup(group)) {
      SparkJobInfo info = spark.statusTracker().getJobInfo(jobId);
      if (info == null) {
        continue;
      }
      for (int stageId : info.stageIds()) {
        SparkStageInfo stage = spark.statusTracker().getStageInfo(stageId);
        if (stage != null && stage.numActiveTasks() > 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** The task's function: the partition's one element. */
  private static final class OnlyElement<T> extends AbstractFunction1<Iterator<T>, T>
      implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public T apply(Iterator<T> elements) {
      T element = elements.next();
      if (elements.hasNext()) {
        throw new IllegalStateException("a partition holds more than one element");
      }
      return element;
    }
  }

  /** The driver's handler: queues each partition's result for the waiting thread. */
  private static final class Enqueue<T> extends AbstractFunction2<Object, T, BoxedUnit>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final transient BlockingQueue<Object> queue;

    Enqueue(BlockingQueue<Object> queue) {
      this.queue = queue;
    }

    @Override
    public BoxedUnit apply(Object partition, T result) {
      queue.add(result);
      return BoxedUnit.UNIT;
    }
  }

  /** The job's overall result: none (the results went to the handler). */
  private static final class Nothing extends AbstractFunction0<BoxedUnit>
      implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public BoxedUnit apply() {
      return BoxedUnit.UNIT;
    }
  }
}
