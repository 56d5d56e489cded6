package dev.lrfinder.suggest;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Whether the loss of a curve fell at all: an already-trained model (a public checkpoint) often
 * sits at a minimum, and its range-test curve is flat with batch noise until it blows up. Every
 * rule would then read a learning rate off noise, so they give none and the report says why.
 *
 * <p>The starting level is the median raw loss of the first {@code skip-begin + 1} steps (at
 * least 5), all at rates too small to change the model: the median, because batch losses of a
 * trained model are skewed (a few hard batches several times the typical one), and one such
 * batch among the first few lifts their mean, so a smoothed start would let the curve seem to
 * fall from it. The loss fell when the lowest smoothed loss of the window is below that level by
 * more than both
 *
 * <ul>
 *   <li>{@link #RELATIVE_MARGIN} of the first: a fall of under 1% is no basis for choosing a
 *       learning rate (and is within what float32 losses and a deterministic flat curve give);
 *   <li>what batch noise alone gives: the 99.9th percentile of the same fall on
 *       {@link #SIMULATIONS} simulated flat curves (seeded, so the verdict is reproducible) with
 *       the curve's own length, window and smoothing and Gaussian batch noise of the raw losses'
 *       standard deviation. That deviation is estimated robustly from the raw losses of the
 *       window, {@code median |r_i - r_(i-1)| / (0.6745 sqrt 2)}, which a trend or a blow-up at
 *       the end barely moves. The minimum of a smoothed noisy curve lies below its start by
 *       chance: with beta 0.98, 100 steps and 10% batch noise, 1 flat curve in 1000 "falls"
 *       12.7%; with beta 0 (no smoothing), 44%. A fixed margin would be wrong for one
 *       or the other, or for another noise level.
 * </ul>
 *
 * Without raw losses (a curve built from smoothed values only) only the relative margin applies.
 *
 * @param fell whether the loss fell by more than the threshold
 * @param start the starting level: the median raw loss of the first points (without raw
 *     losses, the smoothed loss at the first point of the window)
 * @param lowest the lowest smoothed loss of the window
 * @param threshold how far it had to fall; NaN when the window has fewer than 2 points
 * @param noise the estimated standard deviation of the raw losses (0 without raw losses)
 */
public record Descent(boolean fell, double start, double lowest, double threshold, double noise) {
  /** The smallest fall, relative to the starting loss, that counts. */
  public static final double RELATIVE_MARGIN = 0.01;
  /** Simulated flat curves per verdict; the 99.9th percentile is the 4th largest of 4000. */
  static final int SIMULATIONS = 4000;
  /** At most this many simulated steps in all, so that very long runs stay fast. */
  private static final long MAX_SIMULATED_STEPS = 2_000_000;
  private static final long SEED = 20_170_000L; // any fixed seed: the verdict must be repeatable

  /**
   * @param smoothed the smoothed loss of every finite point, warm-up included
   * @param raw the raw losses of the same points, or null
   * @param beta the smoothing factor that made {@code smoothed} from {@code raw}
   * @param from first point of the window
   * @param to end of the window (exclusive)
   */
  static Descent of(double[] smoothed, double[] raw, double beta, int from, int to) {
    if (to - from < 2) {
      double start = to > from ? smoothed[from] : Double.NaN;
      return new Descent(false, start, start, Double.NaN, 0);
    }
    int startPoints = startPoints(from, to);
    double start = raw == null ? smoothed[from] : median(Arrays.copyOf(raw, startPoints));
    double lowest = smoothed[from];
    for (int i = from; i < to; i++) {
      lowest = Math.min(lowest, smoothed[i]);
    }
    double noise = raw == null ? 0 : noise(raw, from, to);
    double byChance = noise > 0 ? noise * chanceFall(beta, from, to) : 0;
    double threshold = Math.max(RELATIVE_MARGIN * Math.abs(start), byChance);
    return new Descent(start - lowest > threshold, start, lowest, threshold, noise);
  }

  /** The first points, at the lowest rates, whose median raw loss is the starting level. */
  private static int startPoints(int from, int to) {
    return Math.min(to, Math.max(from + 1, 5));
  }

  /** The robust standard deviation of the raw losses of the window from successive differences. */
  static double noise(double[] raw, int from, int to) {
    double[] steps = new double[to - from - 1];
    for (int i = from + 1; i < to; i++) {
      steps[i - from - 1] = Math.abs(raw[i] - raw[i - 1]);
    }
    return median(steps) / (0.6744897501960817 * Math.sqrt(2));
  }

  /** The median of {@code values}, which it sorts. */
  private static double median(double[] values) {
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  /**
   * The 99.9th percentile of the fall (starting level minus {@code min smooth[from..to)}) over
   * flat curves of unit Gaussian noise smoothed like the engine (bias-corrected, from point 0).
   */
  static double chanceFall(double beta, int from, int to) {
    int simulations = (int) Math.max(1000, Math.min(SIMULATIONS, MAX_SIMULATED_STEPS / to));
    Random random = new Random(SEED);
    double[] falls = new double[simulations];
    double[] early = new double[startPoints(from, to)];
    for (int s = 0; s < simulations; s++) {
      double average = 0;
      double correction = 1;
      double lowest = Double.POSITIVE_INFINITY;
      for (int i = 0; i < to; i++) {
        double raw = random.nextGaussian();
        if (i < early.length) {
          early[i] = raw;
        }
        average = beta * average + (1 - beta) * raw;
        correction *= beta;
        if (i >= from) {
          lowest = Math.min(lowest, average / (1 - correction));
        }
      }
      falls[s] = median(early) - lowest;
    }
    Arrays.sort(falls);
    return falls[(int) Math.ceil(0.999 * simulations) - 1];
  }

  /**
   * Why the rules gave none, for the report: e.g. {@code the loss never fell below its starting
   * value (lowest smoothed 0.0312 vs 0.0315 at the start; batch noise alone explains falls up to
   * 0.0021): the model may already be at a minimum for this data (or even the start rate is too
   * large); suggestions are none}.
   */
  public String reason() {
    if (fell) {
      return String.format(Locale.ROOT, "the loss fell from %.4g to %.4g", start, lowest);
    }
    if (Double.isNaN(threshold)) {
      return "the curve is too short to tell whether the loss fell";
    }
    String bound = threshold > RELATIVE_MARGIN * Math.abs(start)
        ? String.format(Locale.ROOT, "batch noise alone explains falls up to %.3g", threshold)
        : String.format(Locale.ROOT, "a fall must exceed %.0f%% of the start",
            100 * RELATIVE_MARGIN);
    return String.format(Locale.ROOT, "the loss never fell below its starting value (lowest"
        + " smoothed %.4g vs %.4g at the start; %s): the model may already be at a minimum for"
        + " this data (or even the start rate is too large); suggestions are none", lowest, start,
        bound);
  }
}
