package dev.lrfinder.schedule;

import java.util.Map;
import java.util.OptionalInt;

/**
 * A decision taken at the end of each epoch from that epoch's logs, as Keras's
 * {@code ReduceLROnPlateau} and {@code EarlyStopping} callbacks take it. The rule itself is an
 * immutable configuration; {@link #start()} gives the state of one run.
 */
public interface EpochRule {

  /** A fresh tracker for one training run. */
  Tracker start();

  /** One line naming the rule and its settings, for reports. */
  String describe();

  /** The state of a rule over one run. */
  interface Tracker {
    /**
     * Called after 0-based {@code epoch} with its logs, keyed as Keras names them ({@code loss},
     * {@code accuracy}, {@code val_loss}, {@code val_accuracy}...), and the rate the optimizer has
     * now; returns the rate of the next epoch and whether training stops.
     */
    EpochDecision onEpochEnd(int epoch, Map<String, Double> logs, double learningRate);

    /**
     * The 0-based epoch whose weights this rule asks the training loop to keep, as Keras's
     * {@code EarlyStopping(restore_best_weights=True)} does: after each {@link #onEpochEnd}, when
     * this equals the epoch just ended, the loop copies the weights; when training ends (stopped
     * early or not) it puts the copy back. Empty for rules that restore nothing.
     */
    default OptionalInt bestEpoch() {
      return OptionalInt.empty();
    }
  }
}
