package dev.lrfinder.schedule;

import java.util.Map;

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
  }
}
