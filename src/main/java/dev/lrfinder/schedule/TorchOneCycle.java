package dev.lrfinder.schedule;

import java.util.OptionalDouble;

/**
 * The one-cycle policy as PyTorch's {@code torch.optim.lr_scheduler.OneCycleLR} runs it (two
 * phases, {@code anneal_strategy="cos"}; pytorch {@code torch/optim/lr_scheduler.py}). With
 * {@code initial = max / divFactor}, {@code min = initial / finalDivFactor} and the first phase
 * ending at update {@code e = pctStart * total - 1}: update {@code i <= e} anneals from {@code
 * initial} to {@code max} over {@code p = i / e}, later ones from {@code max} to {@code min} over
 * {@code p = (i - e) / (total - 1 - e)}, each as {@code end + (start - end) / 2 * (1 + cos(pi
 * p))}; the last update trains at {@code min}. Momentum runs {@code maxMomentum -> baseMomentum
 * -> maxMomentum} on the same pieces. Unlike fast.ai's {@link OneCycle}, the peak and the floor
 * fall on whole updates and the floor is relative to the starting rate.
 */
public record TorchOneCycle(double max, long totalIterations, double pctStart, double divFactor,
    double finalDivFactor, double maxMomentum, double baseMomentum, boolean cycleMomentum)
    implements Schedule {

  /** PyTorch's defaults: pct_start 0.3, div_factor 25, final_div_factor 1e4, momentum 0.95/0.85. */
  public static TorchOneCycle pytorch(double max, long totalIterations) {
    return new TorchOneCycle(max, totalIterations, 0.3, 25, 1e4, 0.95, 0.85, true);
  }

  public TorchOneCycle {
    Checks.rate("max", max);
    Checks.atLeast("total iterations", totalIterations, 1);
    Checks.open("pct_start", pctStart, 0, 1);
    double end = pctStart * totalIterations - 1;
    if (!(end > 0 && end < totalIterations - 1)) {
      throw new IllegalArgumentException("pct_start " + pctStart + " of " + totalIterations
          + " iterations leaves an empty phase (PyTorch divides by zero there)");
    }
    Checks.positive("div", divFactor);
    Checks.positive("div_final", finalDivFactor);
    Checks.nonNegative("mom_max", maxMomentum);
    Checks.nonNegative("mom_min", baseMomentum);
  }

  private double warmupEnd() {
    return pctStart * totalIterations - 1;
  }

  private double initial() {
    return max / divFactor;
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    double i = Math.min(Math.max(iteration, 0), totalIterations - 1);
    double e = warmupEnd();
    return i <= e
        ? anneal(initial(), max, i / e)
        : anneal(max, initial() / finalDivFactor, (i - e) / (totalIterations - 1 - e));
  }

  @Override
  public OptionalDouble momentum(long iteration, int epoch) {
    if (!cycleMomentum) {
      return OptionalDouble.empty();
    }
    double i = Math.min(Math.max(iteration, 0), totalIterations - 1);
    double e = warmupEnd();
    return OptionalDouble.of(i <= e
        ? anneal(maxMomentum, baseMomentum, i / e)
        : anneal(baseMomentum, maxMomentum, (i - e) / (totalIterations - 1 - e)));
  }

  /** PyTorch's {@code _annealing_cos}. */
  private static double anneal(double start, double end, double p) {
    return end + (start - end) / 2.0 * (Math.cos(Math.PI * p) + 1);
  }

  @Override
  public String describe() {
    return "one-cycle (PyTorch OneCycleLR, cosine) " + Checks.num(initial()) + " -> "
        + Checks.num(max) + " -> " + Checks.num(initial() / finalDivFactor) + " over "
        + totalIterations + " iterations, peak at " + Checks.num(pctStart) + (cycleMomentum
            ? ", momentum " + Checks.num(maxMomentum) + " -> " + Checks.num(baseMomentum) + " -> "
                + Checks.num(maxMomentum)
            : "");
  }
}
