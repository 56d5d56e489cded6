package dev.lrfinder.schedule;

/**
 * Linear decay per epoch: {@code max(lr0 - delta * epoch, 0)}; epoch 0 trains at {@code lr0}.
 * Seed 003's callback subtracts before epoch 0 as well (its rate is {@code lr0 - delta * (epoch +
 * 1)}): that is this schedule started at {@code lr0 - delta}.
 */
public record LinearDecay(double initialRate, double delta) implements Schedule {
  public LinearDecay {
    Checks.rate("lr", initialRate);
    Checks.nonNegative("delta", delta);
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    return Math.max(initialRate - delta * epoch, 0);
  }

  @Override
  public String describe() {
    return "linear decay max(" + Checks.num(initialRate) + " - " + Checks.num(delta)
        + " * epoch, 0)";
  }
}
