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

  private Curve(double[] lrs, double[] losses, int from, int to) {
    this.lrs = lrs;
    this.losses = losses;
    this.from = from;
    this.to = to;
  }

  /**
   * @param lrs learning rate per step
   * @param losses (smoothed) loss per step
   * @param skipBegin points skipped at the start (they reflect the smoother's warm-up)
   * @param skipEnd points skipped at the end (the last one usually shows the blow-up)
   */
  public static Curve of(double[] lrs, double[] losses, int skipBegin, int skipEnd) {
    if (lrs.length != losses.length) {
      throw new IllegalArgumentException("lrs and losses differ in length");
    }
    int finite = 0;
    while (finite < losses.length && Double.isFinite(losses[finite]) && lrs[finite] > 0) {
      finite++;
    }
    int to = Math.max(0, finite - skipEnd);
    int from = Math.min(skipBegin, to);
    return new Curve(lrs.clone(), losses.clone(), from, to);
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

  /** Whether the loss anywhere in the window is lower than at its first point. */
  public boolean falls() {
    int best = argMinLoss();
    return best > 0 && loss(best) < loss(0);
  }
}
