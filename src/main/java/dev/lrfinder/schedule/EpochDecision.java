package dev.lrfinder.schedule;

/**
 * What an {@link EpochRule} decided at an epoch's end: the rate of the next epoch, whether to stop
 * and, when either changed, why (one line for the log and the report; empty otherwise).
 */
public record EpochDecision(double learningRate, boolean stop, String reason) {
  public EpochDecision {
    if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("a learning rate must be a finite number >= 0, got "
          + learningRate);
    }
    reason = reason == null ? "" : reason;
  }

  /** Train on at {@code learningRate}, nothing changed. */
  public static EpochDecision keep(double learningRate) {
    return new EpochDecision(learningRate, false, "");
  }
}
