package dev.lrfinder.rangetest;

/** How the learning rate rises from start to end over a range test's steps. */
public enum LrSchedule {
  /** {@code lr_i = start * (end/start)^(i/N)}: equal steps in log space (Smith 2017, fast.ai). */
  EXPONENTIAL {
    @Override
    public double rate(long step, long steps, double start, double end) {
      return start * Math.pow(end / start, (double) step / steps);
    }
  },
  /** {@code lr_i = start + (end - start) * i/N} (torch-lr-finder's {@code step_mode="linear"}). */
  LINEAR {
    @Override
    public double rate(long step, long steps, double start, double end) {
      return start + (end - start) * ((double) step / steps);
    }
  };

  /**
   * The learning rate of step {@code step} (0-based) of {@code steps}: step 0 trains at
   * {@code start}, step N-1 one increment below {@code end} (as seed 002's per-batch multiplier
   * {@code (end/start)^(1/N)} and fast.ai's {@code pos = i/N} give).
   */
  public abstract double rate(long step, long steps, double start, double end);

  public static LrSchedule parse(String text) {
    switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "exp":
      case "exponential":
        return EXPONENTIAL;
      case "linear":
      case "lin":
        return LINEAR;
      default:
        throw new IllegalArgumentException("schedule must be exp or linear, got '" + text + "'");
    }
  }
}
