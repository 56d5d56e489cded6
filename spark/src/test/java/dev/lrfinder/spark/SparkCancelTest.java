package dev.lrfinder.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.SweepListener;
import dev.lrfinder.lab.SweepRun;
import dev.lrfinder.lab.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Interrupting the thread that waits for a Spark sweep (what the CLI's Ctrl-C does to the
 * command's thread) cancels the job: the running tasks are interrupted, the call ends at once
 * with a {@link CancellationException} and the interrupt flag set once its tasks have stopped,
 * and the listener heard only of the runs that had come back.
 */
class SparkCancelTest {
  /**
   * How long the later runs' tasks block (interruptibly) before they train: far longer than
   * the test allows the call to take after the interrupt, so that only an interrupted task
   * lets the call end in time.
   */
  private static final long BLOCK_MILLIS = 120_000;

  /**
   * The bound on the call after the interrupt: cancelling and interrupting the tasks takes
   * milliseconds; the bound leaves room for a loaded machine, and is below both BLOCK_MILLIS
   * and SparkJobs' own wait for a cancelled job (30 s), which an uninterrupted task would run
   * out.
   */
  private static final long BOUND_MILLIS = 20_000;

  @AfterEach
  void closeModels() {
    SparkSweep.closeCachedModels();
  }

  @Test
  void interruptingTheWaitingThreadCancelsTheRunningTasks() {
    SweepFixture fixture = SweepFixture.blobs();
    // One slot per run, so every task is running (the later ones blocked) before run 0 comes
    // back. On local[2] the third task is launched the moment run 0's ends; once in about a
    // dozen runs of the module's tests the call then ended after SparkJobs' 30 s wait, most
    // likely because the cancel reached the executor before that launch did (Spark's executor
    // kills only the tasks it already runs), which this test is not about (docs/spark.md).
    JavaSparkContext spark = SweepFixture.spark("local[3]");
    List<String> heard = new ArrayList<>();
    long[] interruptedAt = {0};
    SweepListener interruptOnFirst = new SweepListener() {
      @Override
      public void onRunStart(int index, int count, SweepRun run) {
        heard.add(run.label());
      }

      @Override
      public void onEpochEnd(int index, SweepRun run, EpochRecord epoch) {}

      @Override
      public void onRunEnd(int index, SweepRun run, TrainingResult result) {
        if (interruptedAt[0] == 0) {
          interruptedAt[0] = System.nanoTime();
          Thread.currentThread().interrupt(); // Ctrl-C, as CommandShutdown delivers it
        }
      }
    };
    spark.setJobGroup("the-application's", "its own group", false);
    try {
      CancellationException e = assertThrows(CancellationException.class,
          () -> SparkSweep.run(spark, fixture.job(), fixture.runs(), interruptOnFirst,
              new BlockingHook(1, BLOCK_MILLIS)));
      long millis = (System.nanoTime() - interruptedAt[0]) / 1_000_000;
      assertTrue(Thread.interrupted(), "the interrupt flag is left set (and cleared here)");
      assertTrue(e.getCause() instanceof InterruptedException, String.valueOf(e.getCause()));
      assertEquals(List.of(fixture.runs().get(0).label()), heard, "only the run that came back");
      System.out.println("SparkCancelTest: ended " + millis + " ms after the interrupt");
      assertTrue(millis < BOUND_MILLIS, "ended " + millis + " ms after the interrupt");
      assertEquals("the-application's", spark.getLocalProperty("spark.jobGroup.id"),
          "the thread's own job group is back");
      // The context is still the application's, and takes the next job.
      assertEquals(3L, spark.parallelize(List.of(1, 2, 3), 3).count());
      // No task is left running: stopping the context (which waits for running tasks in
      // local mode) is quick too. An uninterrupted task would hold it for BLOCK_MILLIS.
      spark.stop();
      long total = (System.nanoTime() - interruptedAt[0]) / 1_000_000;
      System.out.println("SparkCancelTest: context stopped " + total + " ms after the interrupt");
      assertTrue(total < BOUND_MILLIS, "stopped " + total + " ms after the interrupt");
    } finally {
      Thread.interrupted();
      spark.stop();
    }
  }

  /** Runs from {@code from} on block (interruptibly) for {@code millis} before they train. */
  record BlockingHook(int from, long millis) implements TaskHook {
    @Override
    public void beforeRun(int index, int attempt) {
      if (index >= from) {
        try {
          Thread.sleep(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // Spark killed the task: keep the flag
          throw new IllegalStateException("run " + (index + 1) + " was interrupted", e);
        }
      }
    }
  }
}
