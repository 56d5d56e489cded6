package dev.lrfinder.spark;

import dev.lrfinder.lab.LoadedSweep;
import dev.lrfinder.lab.RangeTestGrid;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A range-test grid on Apache Spark: every optimizer x seed of {@code find --repeats K} one Spark
 * task, merged into the results {@link dev.lrfinder.rangetest.RangeTest#runRepeated} gives, seed
 * by seed and curve by curve, bit for bit (docs/spark.md).
 *
 * <pre>{@code
 * RangeTestGrid grid = SparkRangeTests.run(sparkContext, inputs,
 *     RangeTestConfig.builder().steps(100).build(), 3);
 * grid.results();   // one RangeTestResult per seed that ran
 * grid.failed();    // the cells that failed on every attempt, with their errors
 * }</pre>
 *
 * <p>Each task opens the model and data as a sweep's task does (paths every executor sees, or
 * files shipped with the job; a model kept for the executor's later tasks), restores the state
 * right after loading and runs its one optimizer with its one seed. A failed task is retried as
 * Spark retries tasks; a cell that fails every attempt is left out of its seed's result and
 * listed with its error, and the other cells still count. Interrupting the calling thread
 * cancels the job ({@link java.util.concurrent.CancellationException}, interrupt flag set).
 */
public final class SparkRangeTests {
  private SparkRangeTests() {}

  /**
   * Runs {@code config} {@code repeats} times with the batch orders of seeds {@code seed},
   * {@code seed + 1}, ..., each optimizer of each seed a task.
   *
   * @param config the range test; with no optimizers named, the model's (the driver opens the
   *     model once to read them)
   * @return one result per seed that ran, in seed order, its curves in the optimizers' order,
   *     and the failed cells
   * @throws IllegalArgumentException for {@code repeats < 1}
   * @throws java.util.concurrent.CancellationException when the calling thread is interrupted
   */
  public static RangeTestGrid run(JavaSparkContext spark, SweepJob.Inputs inputs,
      RangeTestConfig config, int repeats) {
    return run(spark, inputs, config, repeats, RangeTestGrid.Listener.NONE);
  }

  /**
   * {@link #run(JavaSparkContext, SweepJob.Inputs, RangeTestConfig, int)}, telling
   * {@code listener} of each cell as it comes back, in completion order, on the calling thread.
   */
  public static RangeTestGrid run(JavaSparkContext spark, SweepJob.Inputs inputs,
      RangeTestConfig config, int repeats, RangeTestGrid.Listener listener) {
    return run(spark, inputs, config, repeats, listener, TaskHook.NONE);
  }

  /** The grid with a test's hook. */
  static RangeTestGrid run(JavaSparkContext spark, SweepJob.Inputs inputs,
      RangeTestConfig config, int repeats, RangeTestGrid.Listener listener, TaskHook hook) {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
    }
    List<String> optimizers = config.optimizers();
    if (optimizers.isEmpty()) {
      try (LoadedSweep driver = LoadedSweep.open(inputs)) {
        optimizers = driver.optimizers();
      }
    }
    List<RangeTestConfig> cells = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      for (String optimizer : optimizers) {
        cells.add(config.toBuilder().seed(config.seed() + i).optimizers(List.of(optimizer))
            .build());
      }
    }
    int count = cells.size();
    int maxFailures = SparkSweep.maxFailures(spark.master(), spark.getConf());
    List<Integer> indices = IntStream.range(0, count).boxed().toList();
    RangeTask.CellRecord[] done = new RangeTask.CellRecord[count];
    int[] arrived = {0};
    // One partition per cell: each its own task, retried on its own.
    SparkJobs.run(spark, spark.parallelize(indices, count)
        .map(new RangeTask(inputs, cells, maxFailures, hook)), "lrfinder range test, " + count
        + " cells", record -> {
          done[record.index()] = record;
          RangeTestConfig cell = cells.get(record.index());
          listener.onCell(++arrived[0], count, cell.optimizers().get(0), cell.seed(),
              record.result() == null ? null : record.result().curves().get(0),
              record.error());
        });
    List<RangeTestResult> results = new ArrayList<>();
    List<RangeTestGrid.FailedCell> failed = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      List<OptimizerCurve> curves = new ArrayList<>();
      RangeTestResult first = null;
      for (int k = i * optimizers.size(); k < (i + 1) * optimizers.size(); k++) {
        RangeTask.CellRecord record = done[k];
        if (record == null) {
          throw new IllegalStateException("cell " + k + " of the grid has no result");
        }
        if (record.result() == null) {
          failed.add(new RangeTestGrid.FailedCell(cells.get(k).optimizers().get(0),
              cells.get(k).seed(), record.error()));
        } else {
          first = first == null ? record.result() : first;
          curves.addAll(record.result().curves());
        }
      }
      if (first != null) {
        results.add(new RangeTestResult(config.toBuilder().seed(config.seed() + i).build(),
            first.plannedSteps(), first.stepsPerEpoch(), first.trainRows(), curves));
      }
    }
    return new RangeTestGrid(results, failed);
  }
}
