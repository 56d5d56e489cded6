package dev.lrfinder.schedule;

/**
 * Time-based decay per epoch as seed 003 writes it for Keras's {@code LearningRateScheduler}: at
 * the start of each epoch {@code lr *= 1 / (1 + decay * epoch)}, so the rate of epoch {@code e} is
 * {@code lr0 * prod(j = 0..e) 1 / (1 + decay * j)} (the factor of epoch 0 is 1).
 */
public record EpochTimeDecay(double initialRate, double decay) implements Schedule {
  public EpochTimeDecay {
    Checks.rate("lr", initialRate);
    Checks.nonNegative("decay", decay);
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    // Applied in the order the seed's callback applies it, one epoch at a time.
    double rate = initialRate;
    for (int j = 1; j <= epoch; j++) {
      rate *= 1 / (1 + decay * j);
    }
    return rate;
  }

  @Override
  public String describe() {
    return "time decay per epoch: lr *= 1 / (1 + " + Checks.num(decay) + " * epoch) from "
        + Checks.num(initialRate);
  }
}
