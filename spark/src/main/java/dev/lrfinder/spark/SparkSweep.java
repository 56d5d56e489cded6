package dev.lrfinder.spark;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.LoadedSweep;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.lab.SweepListener;
import dev.lrfinder.lab.SweepResult;
import dev.lrfinder.lab.SweepRun;
import dev.lrfinder.lab.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A sweep on Apache Spark: every run of a {@link SweepJob} one Spark task, merged on the driver
 * into the {@link SweepResult} a local {@link dev.lrfinder.lab.Sweep} gives, run for run and bit
 * for bit (docs/spark.md).
 *
 * <pre>{@code
 * SweepJob job = new SweepJob(new SweepJob.Inputs("/shared/models/blobs_mlp", null, false,
 *     List.of(), 0, "/shared/models/blobs_mlp.npz", "label"), plan);
 * SweepResult result = SparkSweep.run(sparkContext, job);
 * }</pre>
 *
 * <p>Each task opens the model and data in its executor from the job's paths (which every
 * executor must see), keeps the opened model for the executor's later tasks, restores the state
 * it had right after loading, trains its run and sends back the result. A task that fails is
 * retried as Spark retries tasks ({@code spark.task.maxFailures}; plain {@code local[N]} never
 * retries, {@code local[N,F]} allows F attempts); a run whose every attempt fails comes back as
 * a {@link dev.lrfinder.lab.StopReason#FAILED} result with its error, and the others still
 * count.
 */
public final class SparkSweep {
  private static final Pattern LOCAL = Pattern.compile("local(\\[\\s*(\\*|\\d+)\\s*\\])?");
  private static final Pattern LOCAL_WITH_FAILURES = Pattern.compile(
      "local\\[\\s*(\\*|\\d+)\\s*,\\s*(\\d+)\\s*\\]");

  private SparkSweep() {}

  /**
   * Runs {@code job} on {@code spark}, its runs fitted on the driver (which opens the model and
   * data once for that, from the same paths).
   */
  public static SweepResult run(JavaSparkContext spark, SweepJob job) {
    List<SweepRun> runs;
    try (LoadedSweep driver = LoadedSweep.open(job.inputs())) {
      runs = driver.runs(job.plan());
    }
    return run(spark, job, runs, new SweepListener() {});
  }

  /** As {@link #run(JavaSparkContext, SweepJob)} on a Scala {@link SparkContext}. */
  public static SweepResult run(SparkContext spark, SweepJob job) {
    return run(JavaSparkContext.fromSparkContext(spark), job);
  }

  /**
   * Runs {@code job} on {@code spark}: one task per run, merged in run order.
   *
   * @param runs the job's runs as the caller fitted them ({@link LoadedSweep#runs}): their
   *     labels and configs go into the result
   * @param listener told of each run (start, epochs, end) as its task's result arrives, in
   *     completion order, on the calling thread
   * @throws IllegalArgumentException when {@code runs} are not the plan's
   * @throws org.apache.spark.SparkException (unchecked here) when Spark gives up on the job
   *     itself (not a run's failure: an executor lost more often than allowed, a cancelled job)
   * @throws java.util.concurrent.CancellationException when the calling thread is interrupted:
   *     the job is cancelled (its running tasks interrupted), the interrupt flag left set
   */
  public static SweepResult run(JavaSparkContext spark, SweepJob job, List<SweepRun> runs,
      SweepListener listener) {
    return run(spark, job, runs, listener, TaskHook.NONE);
  }

  /** {@link #run(JavaSparkContext, SweepJob, List, SweepListener)} with a test's hook. */
  static SweepResult run(JavaSparkContext spark, SweepJob job, List<SweepRun> runs,
      SweepListener listener, TaskHook hook) {
    Objects.requireNonNull(listener, "listener");
    List<String> planned = job.plan().points().stream().map(p -> p.label()).toList();
    if (!planned.equals(runs.stream().map(SweepRun::label).toList())) {
      throw new IllegalArgumentException("the runs " + runs.stream().map(SweepRun::label)
          .toList() + " are not the plan's " + planned);
    }
    int count = runs.size();
    int maxFailures = maxFailures(spark.master(), spark.getConf());
    List<Integer> indices = IntStream.range(0, count).boxed().toList();
    List<RunRecord> records = new ArrayList<>();
    // One partition per run: each run its own task, retried on its own. The listener hears of
    // each run as its task's result arrives (completion order), on this thread.
    SparkJobs.run(spark, spark.parallelize(indices, count).map(new RunTask(job, maxFailures,
        hook)), "lrfinder sweep, " + count + " runs", record -> {
          records.add(record);
          int i = record.index();
          SweepRun run = runs.get(i);
          TrainingResult result = record.toResult(run.config());
          listener.onRunStart(i, count, run);
          for (EpochRecord epoch : result.epochs()) {
            listener.onEpochEnd(i, run, epoch);
          }
          listener.onRunEnd(i, run, result);
        });
    List<RunRecord> ordered = RunRecord.inOrder(records, count);
    List<TrainingResult> results = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      results.add(ordered.get(i).toResult(runs.get(i).config()));
    }
    return new SweepResult(job.plan().parameter(), runs, results);
  }

  /**
   * The attempts Spark allows a task on {@code master}: 1 on {@code local} and
   * {@code local[N]} (local mode never retries), F on {@code local[N,F]}, else
   * {@code spark.task.maxFailures} (default 4).
   */
  static int maxFailures(String master, SparkConf conf) {
    String text = master.strip();
    Matcher withFailures = LOCAL_WITH_FAILURES.matcher(text);
    if (withFailures.matches()) {
      return Math.max(1, Integer.parseInt(withFailures.group(2)));
    }
    if (LOCAL.matcher(text).matches()) {
      return 1;
    }
    return Math.max(1, conf.getInt("spark.task.maxFailures", 4));
  }

  /** Whether {@code master} runs the executors in the driver's JVM. */
  static boolean local(String master) {
    return master.strip().startsWith("local[") || master.strip().equals("local");
  }

  /** Closes the models this JVM's executor keeps (after a local-mode job; tests). */
  static void closeCachedModels() {
    ExecutorModels.closeAll();
  }
}
