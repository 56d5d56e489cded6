package dev.lrfinder.rangetest;

/**
 * Bias-corrected exponential moving average of the loss (fast.ai, seed 002):
 * {@code avg_k = beta * avg_{k-1} + (1 - beta) * loss_k}, {@code smooth_k = avg_k / (1 - beta^k)}
 * with k counted from 1. With {@code beta = 0} the smoothed loss is the raw loss.
 */
public final class LossSmoother {
  private final double beta;
  private double average;
  private long count;

  public LossSmoother(double beta) {
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException("smoothing beta must be in [0, 1), got " + beta);
    }
    this.beta = beta;
  }

  /** Adds a raw loss and returns the smoothed loss including it. */
  public double add(double loss) {
    count++;
    average = beta * average + (1 - beta) * loss;
    return average / (1 - Math.pow(beta, count));
  }
}
