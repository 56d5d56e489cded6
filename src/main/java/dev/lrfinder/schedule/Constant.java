package dev.lrfinder.schedule;

/** The same rate for every update. */
public record Constant(double learningRate) implements Schedule {
  public Constant {
    Checks.rate("lr", learningRate);
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    return learningRate;
  }

  @Override
  public String describe() {
    return "constant " + Checks.num(learningRate);
  }
}
