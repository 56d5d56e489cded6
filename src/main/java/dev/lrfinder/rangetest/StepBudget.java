package dev.lrfinder.rangetest;

/**
 * How many steps a range test plans: a fixed count (fast.ai and seed 001: 100), a number of
 * epochs (seed 000: 5), or seed 002's default of {@code ceil(2048 / stepsPerEpoch)} epochs.
 */
public record StepBudget(Kind kind, long value) implements java.io.Serializable {
  public enum Kind { STEPS, EPOCHS, AUTO_EPOCHS }

  /** Seed 002 aims at about this many batch updates when it chooses the number of epochs. */
  public static final long AUTO_TARGET_UPDATES = 2048;

  public StepBudget {
    if (kind != Kind.AUTO_EPOCHS && value <= 0) {
      throw new IllegalArgumentException(kind.name().toLowerCase() + " must be positive, got " + value);
    }
  }

  public static StepBudget steps(long steps) {
    return new StepBudget(Kind.STEPS, steps);
  }

  public static StepBudget epochs(long epochs) {
    return new StepBudget(Kind.EPOCHS, epochs);
  }

  public static StepBudget autoEpochs() {
    return new StepBudget(Kind.AUTO_EPOCHS, 0);
  }

  /** The planned number of steps for data with {@code stepsPerEpoch} batches per epoch. */
  public long plannedSteps(long stepsPerEpoch) {
    switch (kind) {
      case STEPS:
        return value;
      case EPOCHS:
        return value * stepsPerEpoch;
      case AUTO_EPOCHS:
        long epochs = (AUTO_TARGET_UPDATES + stepsPerEpoch - 1) / stepsPerEpoch;
        return epochs * stepsPerEpoch;
      default:
        throw new AssertionError(kind);
    }
  }

  @Override
  public String toString() {
    return kind == Kind.AUTO_EPOCHS ? "auto epochs (ceil(2048 / steps per epoch))"
        : value + " " + kind.name().toLowerCase();
  }
}
