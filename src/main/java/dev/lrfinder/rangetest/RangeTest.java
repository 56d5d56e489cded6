package dev.lrfinder.rangetest;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.BatchSource;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainableModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learning-rate range test (Smith 2017): for each optimizer, train from the same start state
 * on the same batches while the learning rate rises step by step, record the loss, and stop when
 * it diverges. Every variable, learning rates included, is snapshotted before and restored after
 * each optimizer's run, whether it ends normally, diverges, throws, is cancelled or interrupted.
 *
 * <p>Before every step the engine checks the run's {@link CancellationToken} (a cancelled run
 * ends with {@link StopReason#CANCELLED}) and its thread's interrupt flag
 * ({@link StopReason#INTERRUPTED}); either ends the whole run. The engine installs no shutdown
 * hook and changes nothing outside the model: a program that wants Ctrl-C to stop a run cancels
 * the token or interrupts the thread from its own hook (the CLI does).
 *
 * <pre>{@code
 * RangeTestResult result = new RangeTest(RangeTestConfig.builder().build())
 *     .run(model, trainData, null);
 * }</pre>
 */
public final class RangeTest {
  private final RangeTestConfig config;
  private final List<RangeTestListener> listeners;

  public RangeTest(RangeTestConfig config, List<RangeTestListener> listeners) {
    this.config = config;
    this.listeners = List.copyOf(listeners);
  }

  public RangeTest(RangeTestConfig config) {
    this(config, List.of());
  }

  public RangeTestConfig config() {
    return config;
  }

  /**
   * Runs the test for every optimizer of the config (or of the model when the config names none)
   * on the config's seeded batches of {@code train}.
   *
   * @param validation held-out data for validation mode, or {@code null}; required when the config
   *     asks for validation batches
   * @throws IllegalArgumentException for an optimizer the model lacks or missing validation data
   */
  public RangeTestResult run(TrainableModel model, Dataset train, Dataset validation) {
    return run(model, config.batches(train), validation, new CancellationToken());
  }

  /**
   * Runs the test on the batches of {@code train}, stopping early when {@code token} is
   * cancelled. The config's shuffle and seed do not apply (the source decides the order).
   *
   * @param validation held-out data for validation mode, or {@code null}
   * @throws IllegalArgumentException for an optimizer the model lacks, missing validation data,
   *     or a source whose batch size is not the config's
   */
  public RangeTestResult run(TrainableModel model, BatchSource train, Dataset validation,
      CancellationToken token) {
    List<String> optimizers = config.optimizers().isEmpty() ? model.optimizers() : config.optimizers();
    optimizers.forEach(model.contract()::requireOptimizer);
    if (train.stepsPerEpoch() <= 0) {
      throw new IllegalArgumentException("the batch source has no batches per epoch");
    }
    if (train.batchSize() != config.batchSize()) {
      throw new IllegalArgumentException("the batch source gives batches of " + train.batchSize()
          + " rows, the config asks for " + config.batchSize());
    }
    List<Batch> validationBatches = validationBatches(validation);
    long planned = config.budget().plannedSteps(train.stepsPerEpoch());

    List<OptimizerCurve> curves = new ArrayList<>();
    try (StartState state = StartState.of(model, config.snapshotOnDisk())) {
      ModelSnapshot start = state.snapshot();
      try {
        for (String optimizer : optimizers) {
          OptimizerCurve curve;
          try {
            curve = runOne(model, optimizer, train, planned, validationBatches, token);
          } finally {
            model.restore(start);
          }
          curves.add(curve);
          listeners.forEach(l -> l.onEnd(curve));
          if (curve.stopReason() == StopReason.INTERRUPTED
              || curve.stopReason() == StopReason.CANCELLED) {
            break;
          }
        }
      } finally {
        model.restore(start);
      }
    }
    return new RangeTestResult(config, planned, train.stepsPerEpoch(), train.rows(), curves);
  }

  /**
   * Runs the test {@code repeats} times with the batch orders of seeds {@code seed},
   * {@code seed + 1}, ... ({@code find --repeats K}), each from the state before the call (every
   * run restores the model, so each starts where the first did). A cancelled or interrupted run
   * is the last one.
   *
   * @return one result per run, in seed order
   * @throws IllegalArgumentException for {@code repeats < 1}, and as {@link #run}
   */
  public List<RangeTestResult> runRepeated(TrainableModel model, Dataset train,
      Dataset validation, int repeats, CancellationToken token) {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
    }
    List<RangeTestResult> results = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      RangeTestConfig seeded = config.toBuilder().seed(config.seed() + i).build();
      RangeTestResult result = new RangeTest(seeded, listeners)
          .run(model, seeded.batches(train), validation, token);
      results.add(result);
      if (result.curves().stream().anyMatch(c -> c.stopReason() == StopReason.CANCELLED
          || c.stopReason() == StopReason.INTERRUPTED)) {
        break;
      }
    }
    return List.copyOf(results);
  }

  private List<Batch> validationBatches(Dataset validation) {
    if (config.validationBatches() == 0) {
      return List.of();
    }
    if (validation == null) {
      throw new IllegalArgumentException("validation mode needs held-out data (x_test/y_test)");
    }
    List<Batch> all = Batches.sequential(validation, config.batchSize());
    if (all.size() < config.validationBatches()) {
      throw new IllegalArgumentException("validation data has " + all.size() + " batches of "
          + config.batchSize() + ", fewer than the " + config.validationBatches() + " asked for");
    }
    return List.copyOf(all.subList(0, config.validationBatches()));
  }

  private OptimizerCurve runOne(TrainableModel model, String optimizer, BatchSource batches,
      long planned, List<Batch> validation, CancellationToken token) {
    listeners.forEach(l -> l.onStart(optimizer, planned));
    List<Double> lrs = new ArrayList<>();
    List<Double> trainLosses = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    List<Double> smoothed = new ArrayList<>();
    Map<String, List<Double>> outputLosses = new LinkedHashMap<>();
    LossSmoother smoother = new LossSmoother(config.beta());
    double best = Double.NaN;
    StopReason reason = StopReason.END_OF_RANGE;
    long started = System.nanoTime();
    long inModel = 0;

    for (long step = 0; step < planned; step++) {
      java.util.Optional<StopReason> requested = StopReason.requested(token);
      if (requested.isPresent()) {
        reason = requested.get();
        break;
      }
      double lr = config.schedule().rate(step, planned, config.startLr(), config.endLr());
      Batch batch = batches.batch(step);
      long modelStart = System.nanoTime();
      StepResult trained = model.trainStep(optimizer, lr, batch);
      double loss = validation.isEmpty() ? trained.loss() : meanLoss(model, validation);
      inModel += System.nanoTime() - modelStart;

      lrs.add(lr);
      trainLosses.add(trained.loss());
      trained.outputLosses().forEach((key, value) ->
          outputLosses.computeIfAbsent(key, k -> new ArrayList<>()).add(value));
      losses.add(loss);
      if (!Double.isFinite(loss)) {
        smoothed.add(Double.NaN);
        reason = StopReason.NON_FINITE_LOSS;
        break;
      }
      double smooth = smoother.add(loss);
      smoothed.add(smooth);
      StepDecision decision = StepDecision.CONTINUE;
      StepEvent event = new StepEvent(optimizer, step, lr, loss, smooth, trained.metrics());
      for (RangeTestListener listener : listeners) {
        if (listener.onStep(event) == StepDecision.STOP) {
          decision = StepDecision.STOP;
        }
      }
      // No divergence stop inside the warm-up window [0, skipBegin): there the bias-corrected
      // average is the mean of a few batches, so on an already-trained model (low loss, large
      // batch-to-batch noise) one lucky batch made "4x the best" fire within 5 steps. The best
      // the stop factor compares with is the best smoothed loss from the window on, not
      // including it: a best taken from the warm-up is an extreme of a few raw batches, which a
      // well-averaged loss can exceed 4x at once when the batches are noisy. The suggestions
      // ignore the same points (suggest.Curve), so the stop and the rules see the same curve.
      // fast.ai (lr_find), torch-lr-finder and seed 002 compare with the best from step 1 on,
      // keras_lr_finder only stops after 5 batches (REFERENCE.md section 4); with --skip-begin 0
      // this is seed 002's rule exactly. NaN and infinite losses stop at any step (above).
      // Seed 002's order: compare with the best so far, then update the best.
      long windowStart = config.skipBeginFor(planned);
      if (step >= windowStart) {
        if (config.stopFactorEnabled() && step > windowStart
            && smooth > config.stopFactor() * best) {
          reason = StopReason.DIVERGED;
          break;
        }
        if (step == windowStart || smooth < best) {
          best = smooth;
        }
      }
      if (decision == StepDecision.STOP) {
        reason = StopReason.LISTENER;
        break;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new OptimizerCurve(optimizer, lrs, trainLosses, losses, smoothed, reason, planned, best,
        seconds, inModel / 1e9, outputLosses);
  }

  private static double meanLoss(TrainableModel model, List<Batch> batches) {
    double sum = 0;
    for (Batch batch : batches) {
      sum += model.evaluate(batch).loss();
    }
    return sum / batches.size();
  }
}
