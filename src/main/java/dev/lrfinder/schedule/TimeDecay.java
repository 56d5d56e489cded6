package dev.lrfinder.schedule;

/**
 * Time-based decay per update, Keras's legacy SGD {@code decay} argument:
 * {@code lr0 / (1 + decay * iteration)}, with {@code iteration} the number of updates done before
 * this one (tf_keras {@code optimizer_v2} {@code _decayed_lr}; seed 004).
 */
public record TimeDecay(double initialRate, double decay) implements Schedule {
  public TimeDecay {
    Checks.rate("lr", initialRate);
    Checks.nonNegative("decay", decay);
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    return initialRate / (1 + decay * iteration);
  }

  @Override
  public String describe() {
    return "time decay " + Checks.num(initialRate) + " / (1 + " + Checks.num(decay)
        + " * iteration)";
  }
}
