package dev.lrfinder.suggest;

/**
 * A loss-versus-learning-rate curve prepared for suggestion rules: cut at its first non-finite
 * loss (as fast.ai does), then windowed to {@code [from, to)} by the skips. Rules suggest from the
 * window; rules that look back (loss-delta) may read the points before it.
 */
public final class Curve {
  private final double[] lrs;
  private final double[] losses;
  private final int from;
  private final int to;
  private final Descent descent;

  private Curve(double[] lrs, double[] losses, int from, int to, Descent descent) {
    this.lrs = lrs;
    this.losses = losses;
    this.from = from;
    this.to = to;
    this.descent = descent;
  }

  /**
   * @param lrs learning rate per step
   * @param losses (smoothed) loss per step
   * @param skipBegin points skipped at the start (they reflect the smoother's warm-up)
   * @param skipEnd points skipped at the end (the last one usually shows the blow-up)
   */
  public static Curve of(double[] lrs, double[] losses, int skipBegin, int skipEnd) {
    return of(lrs, losses, null, 0, skipBegin, skipEnd);
  }

  /**
   * A curve whose {@link #descent} also weighs the batch noise of the raw losses.
   *
   * @param smoothed smoothed loss per step
   * @param raw the raw loss per step that {@code smoothed} was made from, or null
   * @param beta the smoothing factor that made {@code smoothed}
   */
  public static Curve of(double[] lrs, double[] smoothed, double[] raw, double beta,
      int skipBegin, int skipEnd) {
    if (lrs.length != smoothed.length || (raw != null && raw.length != smoothed.length)) {
      throw new IllegalArgumentException("lrs and losses differ in length");
    }
    int finite = 0;
    while (finite < smoothed.length && Double.isFinite(smoothed[finite]) && lrs[finite] > 0
        && (raw == null || Double.isFinite(raw[finite]))) {
      finite++;
    }
    int to = Math.max(0, finite - skipEnd);
    int from = Math.min(skipBegin, to);
    return new Curve(lrs.clone(), smoothed.clone(), from, to,
        Descent.of(smoothed, raw, beta, from, to));
  }

  /** Number of points in the window. */
  public int size() {
    return to - from;
  }

  /** Learning rate of window point {@code i}. */
  public double lr(int i) {
    return lrs[from + i];
  }

  /** Loss of window point {@code i}; negative {@code i} reaches back before the window. */
  public double loss(int i) {
    return losses[from + i];
  }

  /** How many points before the window a rule may look back at. */
  public int pointsBefore() {
    return from;
  }

  /** Index of the lowest loss in the window, or -1 when the window is empty. */
  public int argMinLoss() {
    int best = -1;
    for (int i = 0; i < size(); i++) {
      if (best < 0 || loss(i) < loss(best)) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Whether the loss in the window falls below its first point by more than noise and a 1%
   * margin ({@link Descent}).
   */
  public boolean falls() {
    return descent.fell();
  }

  /** Whether and how far the loss fell, with the reason in words. */
  public Descent descent() {
    return descent;
  }
}
