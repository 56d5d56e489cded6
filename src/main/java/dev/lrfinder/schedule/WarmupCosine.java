package dev.lrfinder.schedule;

/**
 * Linear warm-up then cosine decay, as Keras 3's {@code
 * keras.optimizers.schedules.CosineDecay(initial_learning_rate=start, decay_steps=totalIterations
 * - warmup, alpha, warmup_target=peak, warmup_steps=warmup)} computes it (keras {@code
 * optimizers/schedules/learning_rate_schedule.py}): with {@code s = min(iteration, total)},
 * {@code start + (peak - start) * s / warmup} while {@code s < warmup}, then {@code peak * ((1 -
 * alpha) * (1 + cos(pi * (s - warmup) / (total - warmup))) / 2 + alpha)}.
 */
public record WarmupCosine(double peak, long warmup, long totalIterations, double start,
    double alpha) implements Schedule {

  public WarmupCosine {
    Checks.rate("lr", peak);
    Checks.atLeast("warmup", warmup, 0);
    if (totalIterations <= warmup) {
      throw new IllegalArgumentException("warmup (" + warmup + " iterations) must be shorter than "
          + "the run (" + totalIterations + " iterations)");
    }
    Checks.rate("start", start);
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must lie in [0, 1], got " + alpha);
    }
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    double s = Math.min(Math.max(iteration, 0), totalIterations);
    if (s < warmup) {
      return (peak - start) * (s / warmup) + start;
    }
    double completed = (s - warmup) / (totalIterations - warmup);
    double cosine = 0.5 * (1 + Math.cos(Math.PI * completed));
    return peak * ((1 - alpha) * cosine + alpha);
  }

  @Override
  public String describe() {
    return "linear warm-up " + Checks.num(start) + " -> " + Checks.num(peak) + " over " + warmup
        + " iterations, then cosine to " + Checks.num(peak * alpha) + " at iteration "
        + totalIterations;
  }
}
