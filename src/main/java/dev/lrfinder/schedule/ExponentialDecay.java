package dev.lrfinder.schedule;

/** Exponential decay per epoch (seed 003): {@code lr0 * exp(-k * epoch)}. */
public record ExponentialDecay(double initialRate, double k) implements Schedule {
  public ExponentialDecay {
    Checks.rate("lr", initialRate);
    Checks.nonNegative("k", k);
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    return initialRate * Math.exp(-k * epoch);
  }

  @Override
  public String describe() {
    return "exponential decay " + Checks.num(initialRate) + " * exp(-" + Checks.num(k)
        + " * epoch)";
  }
}
