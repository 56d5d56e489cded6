package dev.lrfinder.lab;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Trains one model with each of several configurations from the identical start state: every
 * variable is snapshot once, put back before each run and once more at the end, so every run
 * starts where the first did (optimizer slots, iteration counters and Dropout's RNG state
 * included) and the model is left as it was found. Each run is an {@link EpochTrainer} run, whose
 * batch order depends only on its config's shuffle, seed and split: runs that share those see the
 * same rows in the same order, and a run's curves equal a standalone {@code EpochTrainer} run of
 * the same config from the same state, bit for bit.
 *
 * <pre>{@code
 * List<SweepRun> runs = List.of(
 *     new SweepRun("lr=0.1", base.withSchedule(Schedule.constant(0.1))),
 *     new SweepRun("lr=0.01", base.withSchedule(Schedule.constant(0.01))));
 * SweepResult result = new Sweep("lr", runs, List.of()).run(model, train, test,
 *     new CancellationToken());
 * }</pre>
 */
public final class Sweep {
  private final String parameter;
  private final List<SweepRun> runs;
  private final List<SweepListener> listeners;

  /**
   * A sweep over {@code runs} (at least one), reported to {@code listeners}.
   *
   * @param parameter what the runs vary, for the result ({@code lr}, {@code runs}...)
   */
  public Sweep(String parameter, List<SweepRun> runs, List<SweepListener> listeners) {
    this.parameter = Objects.requireNonNull(parameter, "parameter");
    this.runs = List.copyOf(runs);
    this.listeners = List.copyOf(listeners);
    if (this.runs.isEmpty()) {
      throw new IllegalArgumentException("a sweep needs at least one run");
    }
  }

  /** The runs, in order. */
  public List<SweepRun> runs() {
    return runs;
  }

  /**
   * Trains every run in order from the model's present state and puts that state back at the
   * end (also when a run fails). A run whose config has a validation split validates on its
   * split; the others on {@code validation}, if given. Stops before the next run once the token
   * is cancelled or the thread interrupted; the run under way stops as {@link EpochTrainer} stops.
   *
   * @param train training data conformed to the model
   * @param validation held-out data conformed to the model, or {@code null}
   * @throws IllegalArgumentException as {@link EpochTrainer#run} throws for a run
   */
  public SweepResult run(TrainableModel model, Dataset train, Dataset validation,
      CancellationToken token) {
    ModelSnapshot start = model.snapshot();
    List<TrainingResult> results = new ArrayList<>();
    boolean restored = false;
    try {
      for (int i = 0; i < runs.size(); i++) {
        if (token.isCancelled() || Thread.currentThread().isInterrupted()) {
          break;
        }
        SweepRun run = runs.get(i);
        model.restore(start);
        int index = i;
        listeners.forEach(l -> l.onRunStart(index, runs.size(), run));
        EpochListener epochs = epoch -> listeners.forEach(l -> l.onEpochEnd(index, run, epoch));
        TrainingResult result = new EpochTrainer(run.config(), List.of(epochs)).run(model, train,
            run.config().validationSplit() > 0 ? null : validation, token);
        results.add(result);
        listeners.forEach(l -> l.onRunEnd(index, run, result));
        if (result.stopReason() == StopReason.CANCELLED
            || result.stopReason() == StopReason.INTERRUPTED) {
          break;
        }
      }
      model.restore(start);
      restored = true;
    } finally {
      if (!restored) {
        restoreQuietly(model, start);
      }
    }
    return new SweepResult(parameter, runs, results);
  }

  /** Puts the start back after a failure, which stays the one the caller hears about. */
  private static void restoreQuietly(TrainableModel model, ModelSnapshot start) {
    try {
      model.restore(start);
    } catch (RuntimeException e) {
      // The run's own failure propagates; a model that cannot be restored is closed by its owner.
    }
  }
}
