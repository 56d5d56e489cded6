package dev.lrfinder.lab;

import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Somewhere else to run a sweep's runs: a distributed engine that trains each run of a
 * {@link SweepJob} in a worker JVM and gives back the results in run order. The local
 * counterpart is {@link Sweep}, which trains them one after the other on a model the caller has
 * open. Implementations are found with {@link ServiceLoader} ({@link #find}); the core library
 * has none: the {@code lrfinder-spark} module (docs/spark.md) provides {@code spark}.
 */
public interface SweepBackend {
  /** The backend's name, as the command line's option names it ({@code spark}). */
  String name();

  /**
   * Runs every run of {@code job} on {@code target} and merges the results in run order. A run
   * that fails on every attempt the backend allows holds a {@link StopReason#FAILED} result
   * with its error ({@link TrainingResult#failed}); the others still count.
   *
   * @param runs the job's runs as the caller fitted them ({@link SweepPlan#runs}): their labels
   *     and configs go into the result
   * @param target where to run, in the backend's terms (a Spark master URL)
   * @param listener told of each run (start, epochs, end) as its result comes back, in
   *     completion order
   */
  SweepResult run(SweepJob job, List<SweepRun> runs, String target, SweepListener listener);

  /**
   * Runs the range test {@code config} describes {@code repeats} times with the batch orders of
   * seeds {@code seed}, {@code seed + 1}, ... ({@code find --repeats K}), each optimizer x seed
   * on its own worker, and gives what {@link RangeTest#runRepeated} gives locally: one result
   * per seed, in seed order, its curves in the optimizers' order. A range-test grid is a sweep
   * over optimizers and seeds. A cell that fails on every attempt the backend allows is left
   * out of its seed's result and listed with its error ({@link RangeTestGrid#failed}); the
   * others still count.
   *
   * @param config the range test; with no optimizers named, the model's
   * @param target where to run, in the backend's terms
   * @param listener told of each cell as it comes back, in completion order
   * @throws UnsupportedOperationException from a backend without range tests
   */
  default RangeTestGrid rangeTests(SweepJob.Inputs inputs, RangeTestConfig config,
      int repeats, String target, RangeTestGrid.Listener listener) {
    throw new UnsupportedOperationException("the " + name() + " backend runs no range tests");
  }

  /** The backend called {@code name} on the class path, if any. */
  static Optional<SweepBackend> find(String name) {
    for (SweepBackend backend : ServiceLoader.load(SweepBackend.class)) {
      if (backend.name().equals(name)) {
        return Optional.of(backend);
      }
    }
    return Optional.empty();
  }
}
