package dev.lrfinder.schedule;

import java.util.OptionalDouble;

/**
 * The one-cycle policy as fast.ai's {@code fit_one_cycle} runs it ({@code
 * fastai/callback/schedule.py}: {@code combined_cos(pct_start, lr_max / div, lr_max, lr_max /
 * div_final)}, moms {@code (0.95, 0.85, 0.95)}). With {@code pos = iteration / totalIterations}:
 * for {@code pos < pctStart} the rate anneals by cosine from {@code max / div} up to {@code max}
 * over {@code p = pos / pctStart}, then from {@code max} down to {@code max / divFinal} over
 * {@code p = (pos - pctStart) / (1 - pctStart)}; each cosine piece is fast.ai's {@code
 * sched_cos(a, b, p) = a + (1 + cos(pi (1 - p))) (b - a) / 2}. The momentum (SGD momentum or Adam
 * beta_1) runs inversely, {@code momentumMax -> momentumMin -> momentumMax}, on the same pieces;
 * {@link #momentum} is empty when {@code cycleMomentum} is off.
 */
public record OneCycle(double max, long totalIterations, double pctStart, double div,
    double divFinal, double momentumMax, double momentumMin, boolean cycleMomentum)
    implements Schedule {

  /** fast.ai's {@code fit_one_cycle} defaults: pct_start 0.25, div 25, div_final 1e5, moms. */
  public static OneCycle fastai(double max, long totalIterations) {
    return new OneCycle(max, totalIterations, 0.25, 25, 1e5, 0.95, 0.85, true);
  }

  public OneCycle {
    Checks.rate("max", max);
    Checks.atLeast("total iterations", totalIterations, 1);
    Checks.open("pct_start", pctStart, 0, 1);
    Checks.positive("div", div);
    Checks.positive("div_final", divFinal);
    Checks.nonNegative("mom_max", momentumMax);
    Checks.nonNegative("mom_min", momentumMin);
  }

  @Override
  public double learningRate(long iteration, int epoch) {
    double pos = position(iteration);
    return pos < pctStart
        ? cos(max / div, max, pos / pctStart)
        : cos(max, max / divFinal, (pos - pctStart) / (1 - pctStart));
  }

  @Override
  public OptionalDouble momentum(long iteration, int epoch) {
    if (!cycleMomentum) {
      return OptionalDouble.empty();
    }
    double pos = position(iteration);
    return OptionalDouble.of(pos < pctStart
        ? cos(momentumMax, momentumMin, pos / pctStart)
        : cos(momentumMin, momentumMax, (pos - pctStart) / (1 - pctStart)));
  }

  private double position(long iteration) {
    return Math.min(1.0, Math.max(0, iteration) / (double) totalIterations);
  }

  /** fast.ai's {@code sched_cos}: from {@code start} at p = 0 to {@code end} at p = 1. */
  private static double cos(double start, double end, double p) {
    return start + (1 + Math.cos(Math.PI * (1 - p))) * (end - start) / 2;
  }

  @Override
  public String describe() {
    return "one-cycle (cosine) " + Checks.num(max / div) + " -> " + Checks.num(max) + " -> "
        + Checks.num(max / divFinal) + " over " + totalIterations + " iterations, peak at "
        + Checks.num(pctStart) + (cycleMomentum
            ? ", momentum " + Checks.num(momentumMax) + " -> " + Checks.num(momentumMin) + " -> "
                + Checks.num(momentumMax)
            : "");
  }
}
