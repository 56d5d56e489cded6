package dev.lrfinder.lab;

import java.util.List;
import java.util.Optional;

/**
 * What a training run did: its learning curves per epoch and the rate and loss of every step.
 *
 * @param config what was asked for
 * @param schedule the schedule the steps followed, in words (e.g. {@code constant 0.01})
 * @param epochs every epoch that started, in order (an incomplete last one when the run stopped
 *     inside it)
 * @param stepRates the learning rate of every step, in order
 * @param stepLosses the training loss of every step (the loss the gradient was taken of)
 * @param stepsPerEpoch training steps of a whole epoch
 * @param trainRows the rows the batches are drawn from
 * @param validationRows rows of the validation data; 0 without validation
 * @param stopReason why the run ended
 * @param stopDetail the rule's or the failure's words, or ""
 * @param notes what the caller should know about the run (e.g. a schedule's momentum not applied)
 * @param seconds wall time of the run
 * @param stepMomenta the momentum set before every step, in order, when the schedule's momentum
 *     was applied (one-cycle on the direct path); empty otherwise
 */
public record TrainingResult(TrainingConfig config, String schedule, List<EpochRecord> epochs,
    List<Double> stepRates, List<Double> stepLosses, long stepsPerEpoch, long trainRows,
    long validationRows, StopReason stopReason, String stopDetail, List<String> notes,
    double seconds, List<Double> stepMomenta) {
  public TrainingResult {
    epochs = List.copyOf(epochs);
    stepRates = List.copyOf(stepRates);
    stepLosses = List.copyOf(stepLosses);
    notes = List.copyOf(notes);
    stopDetail = stopDetail == null ? "" : stopDetail;
    stepMomenta = List.copyOf(stepMomenta);
    if (!stepMomenta.isEmpty() && stepMomenta.size() != stepRates.size()) {
      throw new IllegalArgumentException(stepMomenta.size() + " step momenta for "
          + stepRates.size() + " steps");
    }
  }

  /** A result of a run that did not set the momentum ({@link #stepMomenta} empty). */
  public TrainingResult(TrainingConfig config, String schedule, List<EpochRecord> epochs,
      List<Double> stepRates, List<Double> stepLosses, long stepsPerEpoch, long trainRows,
      long validationRows, StopReason stopReason, String stopDetail, List<String> notes,
      double seconds) {
    this(config, schedule, epochs, stepRates, stepLosses, stepsPerEpoch, trainRows,
        validationRows, stopReason, stopDetail, notes, seconds, List.of());
  }

  /**
   * The result of a run that failed with {@code error} on every attempt of a distributed backend
   * ({@link StopReason#FAILED}): no epochs and no steps ({@link #stepsPerEpoch} and
   * {@link #trainRows} 0), the error as its stop detail and as a note.
   */
  public static TrainingResult failed(TrainingConfig config, String error) {
    String schedule = config.schedule().map(s -> s.describe()).orElse("the optimizer's own rate");
    return new TrainingResult(config, schedule, List.of(), List.of(), List.of(), 0, 0, 0,
        StopReason.FAILED, error, List.of("failed on every attempt: " + error), 0);
  }

  /** The last epoch that completed, if any. */
  public Optional<EpochRecord> lastComplete() {
    for (int i = epochs.size() - 1; i >= 0; i--) {
      if (epochs.get(i).complete()) {
        return Optional.of(epochs.get(i));
      }
    }
    return Optional.empty();
  }

  /** The training steps that ran. */
  public long steps() {
    return stepRates.size();
  }

  /** Whether the run validated after each epoch. */
  public boolean validated() {
    return validationRows > 0;
  }
}
