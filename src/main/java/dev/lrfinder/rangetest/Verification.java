package dev.lrfinder.rangetest;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.BatchSource;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainableModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Verifies suggested learning rates by training ({@code find --verify N}): for each optimizer,
 * trains {@code steps} steps at each candidate rate, every run from the same start state (the
 * state before the call) on the same batches (steps 0..N-1 of the source, the range test's first
 * N batches), then measures the held-out loss over every row of the held-out data and ranks the
 * rates by it. Every variable is snapshotted before and restored after each run and at the end,
 * whether a run ends normally, diverges, throws, is cancelled or interrupted, as in
 * {@link RangeTest}.
 *
 * <p>Listeners get {@link RangeTestListener#onVerifyStart}, then {@link RangeTestListener#onStep}
 * after every step whose training loss was finite (a {@link StepDecision#STOP} ends that run
 * early; its held-out loss is still measured), then {@link RangeTestListener#onVerifyEnd}. A
 * cancelled token or an interrupted thread ends the whole verification before the next step;
 * the interrupted run's held-out loss is not measured and no further rate is trained.
 */
public final class Verification {
  private final int steps;
  private final boolean snapshotOnDisk;
  private final List<RangeTestListener> listeners;

  /**
   * @param steps steps to train at each rate, at least 1
   * @param snapshotOnDisk keep the start state in a temporary checkpoint instead of memory
   * @param listeners called on the running thread, as in {@link RangeTest}
   */
  public Verification(int steps, boolean snapshotOnDisk, List<RangeTestListener> listeners) {
    if (steps < 1) {
      throw new IllegalArgumentException("verification steps must be >= 1, got " + steps);
    }
    this.steps = steps;
    this.snapshotOnDisk = snapshotOnDisk;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * Trains and ranks every candidate of every optimizer of {@code candidates} (in its order).
   *
   * @param train the batches to train on (the same for every run)
   * @param heldOut data never trained on; its held-out loss is the row-weighted mean loss over
   *     all its rows, in batches of {@code train}'s batch size (the last one may be smaller), as
   *     Keras {@code evaluate} computes it
   * @param heldOutDescription where {@code heldOut} comes from, for the report
   * @throws IllegalArgumentException for an optimizer the model lacks or empty held-out data
   */
  public VerificationResult run(TrainableModel model, BatchSource train, Dataset heldOut,
      String heldOutDescription, Map<String, List<RateCandidate>> candidates,
      CancellationToken token) {
    candidates.keySet().forEach(model.contract()::requireOptimizer);
    if (heldOut == null || heldOut.rows() == 0) {
      throw new IllegalArgumentException("verification needs held-out data with rows");
    }
    List<Batch> heldOutBatches = Batches.sequential(heldOut, train.batchSize());
    List<OptimizerVerification> verified = new ArrayList<>();
    try (StartState state = StartState.of(model, snapshotOnDisk)) {
      ModelSnapshot start = state.snapshot();
      try {
        double startLoss = heldOutLoss(model, heldOutBatches);
        boolean stopped = false;
        for (Map.Entry<String, List<RateCandidate>> entry : candidates.entrySet()) {
          String optimizer = entry.getKey();
          List<Measured> measured = new ArrayList<>();
          for (RateCandidate candidate : entry.getValue()) {
            Measured run;
            try {
              run = trainOne(model, optimizer, candidate, train, heldOutBatches, token);
            } finally {
              model.restore(start);
            }
            measured.add(run);
            listeners.forEach(l -> l.onVerifyEnd(optimizer, candidate.learningRate(),
                run.stepsRun(), run.heldOutLoss(), run.stopReason()));
            if (run.stopReason() == StopReason.CANCELLED
                || run.stopReason() == StopReason.INTERRUPTED) {
              stopped = true;
              break;
            }
          }
          verified.add(new OptimizerVerification(optimizer, startLoss, rank(measured, startLoss)));
          if (stopped) {
            break;
          }
        }
      } finally {
        model.restore(start);
      }
    }
    return new VerificationResult(steps, heldOutDescription, heldOut.rows(), verified);
  }

  /** What one run measured, before ranking. */
  record Measured(RateCandidate candidate, int stepsRun, double finalTrainLoss,
      double heldOutLoss, StopReason stopReason) {}

  private Measured trainOne(TrainableModel model, String optimizer, RateCandidate candidate,
      BatchSource train, List<Batch> heldOut, CancellationToken token) {
    double lr = candidate.learningRate();
    listeners.forEach(l -> l.onVerifyStart(optimizer, lr, steps));
    double lastLoss = Double.NaN;
    int run = 0;
    StopReason reason = StopReason.END_OF_RANGE;
    for (int step = 0; step < steps; step++) {
      java.util.Optional<StopReason> requested = StopReason.requested(token);
      if (requested.isPresent()) {
        reason = requested.get();
        break;
      }
      StepResult trained = model.trainStep(optimizer, lr, train.batch(step));
      run++;
      lastLoss = trained.loss();
      if (!Double.isFinite(lastLoss)) {
        reason = StopReason.NON_FINITE_LOSS;
        break;
      }
      StepEvent event = new StepEvent(optimizer, step, lr, lastLoss, lastLoss, trained.metrics());
      StepDecision decision = StepDecision.CONTINUE;
      for (RangeTestListener listener : listeners) {
        if (listener.onStep(event) == StepDecision.STOP) {
          decision = StepDecision.STOP;
        }
      }
      if (decision == StepDecision.STOP) {
        reason = StopReason.LISTENER;
        break;
      }
    }
    boolean measure = reason != StopReason.CANCELLED && reason != StopReason.INTERRUPTED
        && reason != StopReason.NON_FINITE_LOSS;
    double loss = measure ? heldOutLoss(model, heldOut) : Double.NaN;
    return new Measured(candidate, run, lastLoss, loss, reason);
  }

  /**
   * Ranks runs: first those that did not diverge, by held-out loss (lowest first; ties keep the
   * candidates' order), then the diverged ones (a NaN or infinite loss, or a held-out loss above
   * {@code startLoss}) by held-out loss with NaN last, then the runs a cancellation cut short.
   */
  static List<VerifiedRate> rank(List<Measured> runs, double startLoss) {
    List<Measured> order = new ArrayList<>(runs);
    order.sort(Comparator.comparingInt((Measured m) -> group(m, startLoss))
        .thenComparingDouble(m -> Double.isNaN(m.heldOutLoss())
            ? Double.POSITIVE_INFINITY : m.heldOutLoss()));
    List<VerifiedRate> ranked = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      Measured m = order.get(i);
      int group = group(m, startLoss);
      ranked.add(new VerifiedRate(m.candidate().rules(), m.candidate().learningRate(),
          m.stepsRun(), m.finalTrainLoss(), m.heldOutLoss(), group == 1, i + 1,
          i == 0 && group == 0, m.stopReason()));
    }
    return List.copyOf(ranked);
  }

  /** 0: a usable run; 1: diverged; 2: not measured (cancelled or interrupted). */
  private static int group(Measured m, double startLoss) {
    if (m.stopReason() == StopReason.CANCELLED || m.stopReason() == StopReason.INTERRUPTED) {
      return 2;
    }
    boolean diverged = !Double.isFinite(m.finalTrainLoss()) || !Double.isFinite(m.heldOutLoss())
        || m.heldOutLoss() > startLoss;
    return diverged ? 1 : 0;
  }

  /** The row-weighted mean loss over {@code batches} (each batch's loss is its rows' mean). */
  static double heldOutLoss(TrainableModel model, List<Batch> batches) {
    double sum = 0;
    long rows = 0;
    for (Batch batch : batches) {
      sum += model.evaluate(batch).loss() * batch.size();
      rows += batch.size();
    }
    return sum / rows;
  }
}
