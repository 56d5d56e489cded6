package dev.lrfinder.schedule;

/**
 * Step decay per epoch (seed 003): {@code lr0 * drop ^ floor((1 + epoch) / every)}, with 0-based
 * {@code epoch}: the first drop comes at the start of epoch {@code every - 1}.
 */
public record StepDecay(double initialRate, double drop, int every) implements Schedule {
  public StepDecay {
    Checks.rate("lr", initialRate);
    Checks.positive("drop", drop);
    Checks.atLeast("every", every, 1);
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    return initialRate * Math.pow(drop, Math.floor((1.0 + epoch) / every));
  }

  @Override
  public String describe() {
    return "step decay " + Checks.num(initialRate) + " * " + Checks.num(drop)
        + "^floor((1 + epoch) / " + every + ")";
  }
}
