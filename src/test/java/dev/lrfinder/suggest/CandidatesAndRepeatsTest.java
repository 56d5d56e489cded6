package dev.lrfinder.suggest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.RateCandidate;
import dev.lrfinder.rangetest.StopReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidatesAndRepeatsTest {
  @Test
  void ratesWithinTheToleranceCountOnceWithAllTheirRules() {
    List<Suggestion> suggestions = List.of(
        Suggestion.of("steep", 1e-3, ""),
        Suggestion.of("valley", 2e-3, ""),
        Suggestion.of("minimum", 1e-3 * (1 + 1e-9), ""),
        Suggestion.none("slide", "no"),
        Suggestion.of("loss_delta", 1.01e-3, ""),
        Suggestion.of(CyclicalBounds.BASE, 1e-4, ""),
        Suggestion.of(CyclicalBounds.MAX, 2e-3, ""));
    List<RateCandidate> candidates = Candidates.of(suggestions);
    assertEquals(3, candidates.size());
    assertEquals(List.of("steep", "minimum"), candidates.get(0).rules());
    assertEquals(1e-3, candidates.get(0).learningRate(), 0.0);
    assertEquals(List.of("valley"), candidates.get(1).rules());
    assertEquals(List.of("loss_delta"), candidates.get(2).rules(), "1% apart is another rate");
  }

  /** A curve whose smoothed loss is {@code level + bump at step bumpAt}, with all steps. */
  private static OptimizerCurve curve(double level, int bumpAt, int steps, double[] lrs) {
    List<Double> rates = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      rates.add(lrs[i]);
      double x = Math.log10(lrs[i]);
      // Falls from 2 to 1 around 1e-3, rises after 1e-1; the bump moves the steepest point.
      double loss = level + 1 + Math.tanh(-(x + 3)) * 0.5 + Math.max(0, x + 1) * 3
          + (i == bumpAt ? -0.4 : 0);
      losses.add(loss);
    }
    return new OptimizerCurve("adam", rates, losses, losses, losses, StopReason.END_OF_RANGE,
        steps, Double.NaN, 0, 0);
  }

  @Test
  void theBandHoldsEveryRepeatAndTheSpreadFlagsARuleThatMoves() {
    RangeTestConfig config = RangeTestConfig.builder().steps(100).beta(0).build();
    double[] lrs = new double[100];
    for (int i = 0; i < 100; i++) {
      lrs[i] = config.schedule().rate(i, 100, config.startLr(), config.endLr());
    }
    List<RangeTestResult> runs = new ArrayList<>();
    int[] bumps = {30, 50, 70};
    for (int k = 0; k < 3; k++) {
      RangeTestConfig seeded = config.toBuilder().seed(k).build();
      runs.add(new RangeTestResult(seeded, 100, 10, 640,
          List.of(curve(0.1 * k, bumps[k], 100 - 5 * k, lrs))));
    }
    RepeatedRuns repeats = RepeatedRuns.of(runs, AnalysisSettings.defaults());
    RepeatedRuns.Band band = repeats.band("adam");
    assertEquals(10, band.from());
    // The shortest run has 90 points, one skipped at the end: steps 10..88.
    assertEquals(79, band.size());
    for (int i = 0; i < band.size(); i++) {
      double low = Double.POSITIVE_INFINITY;
      double high = Double.NEGATIVE_INFINITY;
      double sum = 0;
      for (RangeTestResult run : runs) {
        double v = run.curves().get(0).smoothedLosses().get(band.from() + i);
        low = Math.min(low, v);
        high = Math.max(high, v);
        sum += v;
      }
      assertEquals(low, band.min()[i], 0.0);
      assertEquals(high, band.max()[i], 0.0);
      assertEquals(sum / 3, band.mean()[i], 1e-12);
      assertEquals(lrs[band.from() + i], band.lrs()[i], 0.0);
    }
    RepeatedRuns.RuleSpread steep = repeats.spreads("adam").stream()
        .filter(s -> s.rule().equals("steep")).findFirst().orElseThrow();
    // steep lands just before each run's bump: steps 29, 49, 69, i.e. 40 steps = 3.2 decades.
    assertEquals(List.of(lrs[29], lrs[49], lrs[69]), steep.rates());
    assertEquals(Math.log10(lrs[69] / lrs[29]), steep.decadesSpread(), 1e-12);
    assertTrue(steep.flagged());
    assertTrue(repeats.flagged().stream().anyMatch(l -> l.startsWith("adam: steep moved")));
    RepeatedRuns.RuleSpread minimum = repeats.spreads("adam").stream()
        .filter(s -> s.rule().equals("minimum")).findFirst().orElseThrow();
    assertTrue(minimum.decadesSpread() <= RepeatedRuns.SPREAD_FLAG_DECADES, minimum.toString());
    assertFalse(minimum.flagged());
  }
}
