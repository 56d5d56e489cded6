package dev.lrfinder.report;

import java.util.Arrays;

/**
 * Small numeric helpers for the charts: the loss axis, clipping lines to a band and log-x
 * interpolation.
 */
final class PlotMath {
  /** Headroom above the part worth reading, as a share of its height. */
  private static final double HEADROOM = 0.5;
  /** How far below the lowest smoothed loss the axis may reach to show raw losses. */
  private static final double RAW_ROOM = 0.25;
  /**
   * A log y axis once the part worth reading spans more than this ratio (one decade): below it a
   * linear axis shows a fall more plainly; above it a linear one flattens everything under the
   * top tenth (a regression falling from 1e13 to 1e11 would look like a step).
   */
  static final double LOG_RATIO = 10;

  private PlotMath() {}

  /**
   * A y axis from {@code min} to {@code max}, logarithmic or not; lines are clipped a little
   * outside it ({@link #floor}, {@link #ceiling}), and {@code cut} says whether some of the
   * curves rise above it.
   */
  record Axis(double min, double max, boolean log, boolean cut) {
    double floor() {
      return log ? min / 10 : min - (max - min);
    }

    double ceiling() {
      return log ? max * 10 : max + (max - min);
    }
  }

  /**
   * The loss axis, picked from the data: it reaches from the lowest smoothed loss (or marker) to
   * the top of the part worth reading, {@code upper}: each curve's level before its minimum, its
   * markers, and the 75th percentile of all smoothed points (so a curve that only rises still
   * shows how), plus headroom; a late blow-up above that is cut off rather than flattening the
   * rest. Raw losses may pull the bottom down a little. Logarithmic when every value is positive
   * and {@code upper / lowest} exceeds {@link #LOG_RATIO}; the same rule then works on log10.
   *
   * @param lowest the lowest smoothed loss in the windows and of the markers
   * @param upper the top of the part worth reading (see above)
   * @param highest the highest smoothed loss in the windows
   * @param rawLow the lowest finite raw loss drawn, or NaN
   */
  static Axis lossAxis(double lowest, double upper, double highest, double rawLow) {
    boolean log = lowest > 0 && upper / lowest > LOG_RATIO;
    if (log) {
      double raw = rawLow > 0 ? Math.log10(rawLow) : Double.NaN;
      double[] range = linearRange(Math.log10(lowest), Math.log10(upper), Math.log10(highest),
          raw);
      return new Axis(Math.pow(10, range[0]), Math.pow(10, range[1]), true,
          highest > Math.pow(10, range[1]));
    }
    double[] range = linearRange(lowest, upper, highest, rawLow);
    return new Axis(range[0], range[1], false, highest > range[1]);
  }

  /** {@code {min, max}} of a linear axis for {@link #lossAxis}. */
  private static double[] linearRange(double lowest, double upper, double highest,
      double rawLow) {
    double span = upper - lowest > 0 ? upper - lowest : Math.max(Math.abs(upper) * 0.1, 1e-6);
    double max = Math.min(highest, upper + HEADROOM * span) + 0.04 * span;
    double low = Double.isFinite(rawLow) ? rawLow : lowest;
    double min = Math.max(lowest - RAW_ROOM * span, Math.min(lowest - 0.06 * span, low));
    return new double[] {min, max};
  }

  /** The {@code q}-quantile (0..1, linear between order statistics) of the finite values. */
  static double quantile(double[] values, double q) {
    double[] finite = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
    if (finite.length == 0) {
      return Double.NaN;
    }
    double position = q * (finite.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(finite.length - 1, below + 1);
    return finite[below] + (position - below) * (finite[above] - finite[below]);
  }

  /**
   * The line through {@code (xs[i], ys[i])} limited to {@code floor <= y <= ceiling}: a segment
   * that leaves the band ends where it crosses the boundary and the line resumes where it comes
   * back, with a NaN y (a gap in XChart) in between. Non-finite points become gaps too. With
   * {@code logX} the crossing is found in log10 x, where the chart draws straight segments.
   *
   * @return {@code {xs, ys}} of the clipped line
   */
  static double[][] clip(double[] xs, double[] ys, double floor, double ceiling, boolean logX) {
    double[] outX = new double[3 * xs.length + 1];
    double[] outY = new double[outX.length];
    int size = 0;
    boolean drawing = false;
    if (xs.length == 1 && inside(ys[0], floor, ceiling) && Double.isFinite(xs[0])) {
      outX[size] = xs[0];
      outY[size++] = ys[0];
    }
    for (int i = 1; i < xs.length; i++) {
      double x0 = logX ? Math.log10(xs[i - 1]) : xs[i - 1];
      double x1 = logX ? Math.log10(xs[i]) : xs[i];
      double y0 = ys[i - 1];
      double y1 = ys[i];
      double[] part = Double.isFinite(x0) && Double.isFinite(x1) && Double.isFinite(y0)
          && Double.isFinite(y1) ? inBand(y0, y1, floor, ceiling) : null;
      if (part == null) {
        if (drawing) {
          outX[size] = xs[i - 1];
          outY[size++] = Double.NaN;
          drawing = false;
        }
        continue;
      }
      if (!drawing) {
        outX[size] = at(part[0], xs[i - 1], xs[i], x0, x1, logX);
        outY[size++] = part[0] == 0 ? y0 : y0 + part[0] * (y1 - y0);
      }
      outX[size] = at(part[1], xs[i - 1], xs[i], x0, x1, logX);
      outY[size++] = part[1] == 1 ? y1 : y0 + part[1] * (y1 - y0);
      drawing = part[1] == 1;
      if (!drawing) {
        outX[size] = outX[size - 1];
        outY[size++] = Double.NaN;
      }
    }
    return new double[][] {Arrays.copyOf(outX, size), Arrays.copyOf(outY, size)};
  }

  /** Whether a line has at least one finite y value; XChart draws nothing otherwise. */
  static boolean anyFinite(double[] ys) {
    return Arrays.stream(ys).anyMatch(Double::isFinite);
  }

  /**
   * {@code y} at {@code x} on the line through the points, straight in log10 x; the first or last
   * y outside the points' x range; NaN without points.
   */
  static double interpolateLogX(double[] xs, double[] ys, double x) {
    if (xs.length == 0 || !(x > 0)) {
      return Double.NaN;
    }
    int first = 0;
    int last = xs.length - 1;
    boolean rising = xs[last] >= xs[first];
    if (rising ? x <= xs[first] : x >= xs[first]) {
      return ys[first];
    }
    if (rising ? x >= xs[last] : x <= xs[last]) {
      return ys[last];
    }
    double target = Math.log10(x);
    for (int i = 1; i < xs.length; i++) {
      double a = Math.log10(xs[i - 1]);
      double b = Math.log10(xs[i]);
      if ((a <= target && target <= b) || (b <= target && target <= a)) {
        return a == b ? ys[i] : ys[i - 1] + (target - a) / (b - a) * (ys[i] - ys[i - 1]);
      }
    }
    return ys[last];
  }

  /** The parameter range {@code [t0, t1]} of the segment y0..y1 inside the band, or null. */
  private static double[] inBand(double y0, double y1, double floor, double ceiling) {
    if (y0 == y1) {
      return inside(y0, floor, ceiling) ? new double[] {0, 1} : null;
    }
    double tFloor = (floor - y0) / (y1 - y0);
    double tCeiling = (ceiling - y0) / (y1 - y0);
    double t0 = Math.max(0, Math.min(tFloor, tCeiling));
    double t1 = Math.min(1, Math.max(tFloor, tCeiling));
    return t0 <= t1 ? new double[] {t0, t1} : null;
  }

  private static boolean inside(double y, double floor, double ceiling) {
    return y >= floor && y <= ceiling;
  }

  /** x at parameter {@code t} of a segment; the exact end points at 0 and 1. */
  private static double at(double t, double start, double end, double x0, double x1,
      boolean logX) {
    if (t == 0) {
      return start;
    }
    if (t == 1) {
      return end;
    }
    double x = x0 + t * (x1 - x0);
    return logX ? Math.pow(10, x) : x;
  }
}
