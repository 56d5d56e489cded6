package dev.lrfinder.suggest;

import java.util.List;

/**
 * fast.ai's {@code slide}: with {@code g = numpy.gradient(loss)} (central differences, one-sided
 * at the ends), start with a right index at the last point and a left index {@code lrDiff} points
 * before it, and move both left while {@code |g[right] - g[left]| > threshold}; suggest the
 * learning rate of the last left index visited. Defaults as fast.ai: 15 points, 0.005.
 */
public final class Slide implements SuggestionRule {
  public static final String NAME = "slide";
  private final int lrDiff;
  private final double threshold;

  public Slide(int lrDiff, double threshold) {
    this.lrDiff = lrDiff;
    this.threshold = threshold;
  }

  public Slide() {
    this(15, 0.005);
  }

  @Override
  public List<String> names() {
    return List.of(NAME);
  }

  @Override
  public List<Suggestion> suggest(Curve curve) {
    String refusal = SuggestionRule.refusal(curve, lrDiff + 2);
    if (refusal != null) {
      return List.of(Suggestion.none(NAME, refusal));
    }
    int n = curve.size();
    double[] g = gradient(curve);
    int right = n - 1;
    int left = right - lrDiff;
    double lr = curve.lr(left);
    while (left >= 0 && Math.abs(g[right] - g[left]) > threshold) {
      lr = curve.lr(left);
      right--;
      left--;
    }
    return List.of(Suggestion.of(NAME, lr, String.format(
        "gradient settles within %.3g over %d points left of here", threshold, lrDiff)));
  }

  /** numpy.gradient with unit spacing: central differences inside, one-sided at the ends. */
  static double[] gradient(Curve curve) {
    int n = curve.size();
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      if (i == 0) {
        g[i] = curve.loss(1) - curve.loss(0);
      } else if (i == n - 1) {
        g[i] = curve.loss(n - 1) - curve.loss(n - 2);
      } else {
        g[i] = (curve.loss(i + 1) - curve.loss(i - 1)) / 2;
      }
    }
    return g;
  }
}
