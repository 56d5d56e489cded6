package dev.lrfinder.spark;

import dev.lrfinder.lab.RangeTestGrid;
import dev.lrfinder.lab.SweepBackend;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.lab.SweepListener;
import dev.lrfinder.lab.SweepResult;
import dev.lrfinder.lab.SweepRun;
import dev.lrfinder.rangetest.RangeTestConfig;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The {@code spark} backend of {@code lrfinder sweep|experiment --spark MASTER}, found by
 * {@link java.util.ServiceLoader}, and of {@code find --spark MASTER}: starts a Spark context on
 * {@code MASTER} ({@code submit}: the master spark-submit was given), runs the job with
 * {@link SparkSweep} or {@link SparkRangeTests} and stops the context. Interrupting the calling
 * thread (the CLI's Ctrl-C) cancels the job, stops the context and throws a
 * {@link java.util.concurrent.CancellationException} with the interrupt flag set.
 */
public final class SparkSweepBackend implements SweepBackend {
  /** The target that takes the master from spark-submit ({@code spark.master}). */
  public static final String SUBMIT = "submit";

  /** The backend (ServiceLoader's constructor). */
  public SparkSweepBackend() {}

  @Override
  public String name() {
    return "spark";
  }

  /**
   * Runs {@code job} on a new Spark context on {@code target}.
   *
   * @throws IllegalArgumentException in one line when Spark cannot start on {@code target}
   */
  @Override
  public SweepResult run(SweepJob job, List<SweepRun> runs, String target,
      SweepListener listener) {
    return onSpark(target, "lrfinder " + job.plan().parameter() + " sweep of "
        + Path.of(job.inputs().modelDir()).getFileName(),
        spark -> SparkSweep.run(spark, job, runs, listener));
  }

  /**
   * Runs the range tests on a new Spark context on {@code target} ({@link SparkRangeTests}).
   *
   * @throws IllegalArgumentException in one line when Spark cannot start on {@code target}
   */
  @Override
  public RangeTestGrid rangeTests(SweepJob.Inputs inputs, RangeTestConfig config,
      int repeats, String target, RangeTestGrid.Listener listener) {
    return onSpark(target, "lrfinder range test of " + Path.of(inputs.modelDir()).getFileName(),
        spark -> SparkRangeTests.run(spark, inputs, config, repeats, listener));
  }

  /** {@code job} on a Spark context started for it on {@code target}, stopped after. */
  private static <T> T onSpark(String target, String appName,
      java.util.function.Function<JavaSparkContext, T> job) {
    SparkConf conf = new SparkConf().setAppName(appName);
    if (!target.equals(SUBMIT)) {
      conf.setMaster(target);
    } else if (!conf.contains("spark.master")) {
      throw new IllegalArgumentException("--spark submit takes the master from spark-submit"
          + " --master, but none was given; give a master URL instead, e.g. --spark local[2]");
    }
    String master = conf.get("spark.master");
    if (SparkSweep.local(master)) {
      // A local run is one JVM, the command line's: no web UI on a port of its own.
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    JavaSparkContext spark;
    try {
      spark = new JavaSparkContext(conf);
    } catch (Exception e) { // SparkException is checked in Java, and thrown undeclared
      throw new IllegalArgumentException("--spark " + target + ": Spark did not start: "
          + TaskAttempt.describe(e), e);
    }
    try {
      return job.apply(spark);
    } finally {
      // After an interrupt (Ctrl-C) the job is cancelled; the context stops with the flag
      // cleared, so that its own waits are not cut short, and the flag is set again after.
      boolean interrupted = Thread.interrupted();
      try {
        spark.stop();
        if (SparkSweep.local(master)) {
          ExecutorModels.closeAll();
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
