package dev.lrfinder.spark;

import dev.lrfinder.lab.LoadedSweep;
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
 * List<RangeTestResult> repeats = SparkRangeTests.run(sparkContext, inputs,
 *     RangeTestConfig.builder().steps(100).build(), 3);
 * }</pre>
 *
 * <p>Each task opens the model and data as a sweep's task does (paths every executor sees, or
 * files shipped with the job; a model kept for the executor's later tasks), restores the state
 * right after loading and runs its one optimizer with its one seed. A failed task is retried as
 * Spark retries tasks; a cell that fails every attempt fails the job (a range test's analysis
 * needs every curve).
 */
public final class SparkRangeTests {
  private SparkRangeTests() {}

  /**
   * Runs {@code config} {@code repeats} times with the batch orders of seeds {@code seed},
   * {@code seed + 1}, ..., each optimizer of each seed a task.
   *
   * @param config the range test; with no optimizers named, the model's (the driver opens the
   *     model once to read them)
   * @return one result per seed, in seed order, its curves in the optimizers' order
   * @throws IllegalArgumentException for {@code repeats < 1}
   */
  public static List<RangeTestResult> run(JavaSparkContext spark, SweepJob.Inputs inputs,
      RangeTestConfig config, int repeats) {
    return run(spark, inputs, config, repeats, TaskHook.NONE);
  }

  /** {@link #run(JavaSparkContext, SweepJob.Inputs, RangeTestConfig, int)} with a test's hook. */
  static List<RangeTestResult> run(JavaSparkContext spark, SweepJob.Inputs inputs,
      RangeTestConfig config, int repeats, TaskHook hook) {
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
    List<Integer> indices = IntStream.range(0, cells.size()).boxed().toList();
    // One partition per cell: each its own task, retried on its own; collect keeps their order.
    List<RangeTestResult> done = spark.parallelize(indices, cells.size())
        .map(new RangeTask(inputs, cells, hook)).collect();
    List<RangeTestResult> results = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      List<RangeTestResult> seed = done.subList(i * optimizers.size(),
          (i + 1) * optimizers.size());
      List<OptimizerCurve> curves = seed.stream().flatMap(r -> r.curves().stream()).toList();
      RangeTestResult first = seed.get(0);
      results.add(new RangeTestResult(config.toBuilder().seed(config.seed() + i).build(),
          first.plannedSteps(), first.stepsPerEpoch(), first.trainRows(), curves));
    }
    return List.copyOf(results);
  }
}
