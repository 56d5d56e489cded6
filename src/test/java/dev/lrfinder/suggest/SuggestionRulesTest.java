package dev.lrfinder.suggest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class SuggestionRulesTest {
  /** 100 learning rates 10^-7 ... 10^(-7 + 99 * 0.08), i.e. 0.08 decades apart. */
  private static double[] lrs(int n) {
    double[] lrs = new double[n];
    for (int i = 0; i < n; i++) {
      lrs[i] = Math.pow(10, -7 + 0.08 * i);
    }
    return lrs;
  }

  private static double[] losses(int n, IntToDoubleFunction f) {
    double[] losses = new double[n];
    for (int i = 0; i < n; i++) {
      losses[i] = f.applyAsDouble(i);
    }
    return losses;
  }

  private static Suggestion only(SuggestionRule rule, Curve curve) {
    List<Suggestion> made = rule.suggest(curve);
    assertEquals(1, made.size());
    return made.get(0);
  }

  @Test
  void steepFindsTheSteepestPointOfATanhShapedCurve() {
    // loss = 1 - tanh(2 (log10 lr + 3.02)): steepest at log10 lr = -3.02, midway between points
    // 49 (-3.08) and 50 (-3.00); the rule returns the left point of the steepest segment.
    double[] lrs = lrs(100);
    double[] losses = losses(100, i -> 1 - Math.tanh(2 * (Math.log10(lrs[i]) + 3.04)));
    Suggestion steep = only(new SteepestDescent(), Curve.of(lrs, losses, 10, 1));
    assertTrue(steep.found());
    assertEquals(lrs[49], steep.learningRate(), 1e-18);
  }

  @Test
  void steepPicksTheLeftPointOfTheSingleSteepestSegment() {
    // Loss falls 0.01 per step except between points 37 and 38, where it falls 0.5.
    double[] lrs = lrs(60);
    double[] losses = new double[60];
    losses[0] = 3;
    for (int i = 1; i < 60; i++) {
      losses[i] = losses[i - 1] - (i == 38 ? 0.5 : 0.01);
    }
    Suggestion steep = only(new SteepestDescent(), Curve.of(lrs, losses, 0, 0));
    assertEquals(lrs[37], steep.learningRate(), 1e-18);
  }

  @Test
  void minimumIsTheLowestLossRateOverTen() {
    double[] lrs = lrs(50);
    double[] losses = losses(50, i -> Math.pow(i - 31, 2) + 1);
    Suggestion minimum = only(new MinimumOverTen(), Curve.of(lrs, losses, 10, 1));
    assertEquals(lrs[31] / 10, minimum.learningRate(), 1e-18);
  }

  @Test
  void valleyPicksAboutHalfwayIntoTheLongestDescent() {
    // Slowly rising for 20 points, then strictly decreasing over points 20..59, then rising.
    // The longest decreasing subsequence is one early point plus 20..59: 41 points ending at 59.
    // fast.ai: max_start = max_end - lds[max_end] = 59 - 41 = 18 (its off-by-one kept),
    // sections = 41/3 -> idx = 18 + int(13.67) + int(6.83) = 37.
    double[] lrs = lrs(80);
    double[] losses = losses(80, i -> i < 20 ? 5 + 0.001 * i : i < 60 ? 5 - 0.1 * (i - 19) : 1 + 0.2 * (i - 59));
    Suggestion valley = only(new Valley(), Curve.of(lrs, losses, 0, 0));
    assertEquals(lrs[37], valley.learningRate(), 1e-18);
  }

  @Test
  void lossDeltaUsesTheTwentyStepChange() {
    // loss = 10 - 0.0005 i^2 up to 79, then rising by 1 per step. The 20-step change
    // (L_i - L_{i-20}) / 20 = -0.001 i + 0.01 is lowest at i = 79, the last point before the rise.
    double[] lrs = lrs(100);
    double[] losses = losses(100, i -> i < 80 ? 10 - 0.0005 * i * i : 10 - 0.0005 * 79 * 79 + (i - 79));
    LossDelta rule = new LossDelta();
    Curve curve = Curve.of(lrs, losses, 10, 1);
    Suggestion delta = only(rule, curve);
    assertEquals(lrs[79], delta.learningRate(), 1e-18);
    assertEquals(-0.05, rule.delta(curve, 50), 1e-12); // window point 50 is step 60
    assertTrue(Double.isNaN(rule.delta(curve, 9)), "fewer than 20 predecessors");
  }

  @Test
  void slideWalksLeftUntilTheGradientSettles() {
    // Linear fall (gradient -0.01) with a blow-up on the last 5 points: the right index must
    // leave the blow-up (and the central difference touching it) before the gradients agree.
    int n = 60;
    double[] lrs = lrs(n);
    double[] losses = losses(n, i -> i < n - 5 ? 1 - 0.01 * i : 5 + i);
    Suggestion slide = only(new Slide(), Curve.of(lrs, losses, 0, 0));
    assertEquals(lrs[n - 21], slide.learningRate(), 1e-18);

    double[] straight = losses(n, i -> 1 - 0.01 * i);
    assertEquals(lrs[n - 16], only(new Slide(), Curve.of(lrs, straight, 0, 0)).learningRate(), 1e-18);
  }

  @Test
  void cyclicalBoundsMarkWhereTheFallStartsAndNearlyEnds() {
    // Flat at 1.0 until 20, then 1 - ((i - 20)/20)^2 down to 0 at 40, then rising. The drop
    // reaches 10% of the total fall at i - 20 >= 6.32 (i = 27) and 90% at i - 20 >= 18.97 (39).
    double[] lrs = lrs(60);
    double[] losses = losses(60, i -> i <= 20 ? 1.0
        : i <= 40 ? 1.0 - Math.pow((i - 20) / 20.0, 2) : (i - 40) / 10.0);
    List<Suggestion> bounds = new CyclicalBounds().suggest(Curve.of(lrs, losses, 0, 0));
    assertEquals(CyclicalBounds.BASE, bounds.get(0).rule());
    assertEquals(lrs[27], bounds.get(0).learningRate(), 1e-18);
    assertEquals(lrs[39], bounds.get(1).learningRate(), 1e-18);
  }

  @Test
  void aCurveThatNeverFallsGivesNoSuggestionWithAReason() {
    double[] lrs = lrs(100);
    double[] rising = losses(100, i -> 1 + 0.01 * i);
    List<Suggestion> all = Suggestions.apply(Suggestions.defaultRules(), Curve.of(lrs, rising, 10, 1));
    assertEquals(7, all.size());
    for (Suggestion s : all) {
      assertFalse(s.found(), s.toString());
      assertTrue(s.note().contains("never fell"), s.toString());
    }
  }

  @Test
  void aCurveTooShortAfterTheSkipsGivesNone() {
    double[] lrs = lrs(12);
    double[] falling = losses(12, i -> 10 - i);
    for (Suggestion s : Suggestions.apply(Suggestions.defaultRules(), Curve.of(lrs, falling, 10, 1))) {
      assertFalse(s.found(), s.toString());
      assertTrue(s.note().contains("usable points"), s.toString());
    }
  }

  @Test
  void curveCutsAtTheFirstNonFiniteLossAndAppliesTheSkips() {
    Curve curve = Curve.of(new double[] {1, 2, 3, 4, 5, 6}, new double[] {9, 8, 7, Double.NaN, 5, 4}, 1, 1);
    assertEquals(1, curve.size()); // finite prefix 3 points, minus 1 at each end
    assertEquals(2, curve.lr(0));
    assertEquals(9, curve.loss(-1));
  }

  @Test
  void theSameCurveAlwaysGivesTheSameSuggestions() {
    double[] lrs = lrs(100);
    double[] losses = losses(100, i -> 2 - Math.tanh((i - 50) / 10.0) + (i > 85 ? 0.3 * (i - 85) : 0));
    Curve curve = Curve.of(lrs, losses, 10, 1);
    List<Suggestion> first = Suggestions.apply(Suggestions.defaultRules(), curve);
    assertEquals(first, Suggestions.apply(Suggestions.defaultRules(), Curve.of(lrs, losses, 10, 1)));
    assertTrue(first.stream().allMatch(Suggestion::found), first.toString());
  }
}
