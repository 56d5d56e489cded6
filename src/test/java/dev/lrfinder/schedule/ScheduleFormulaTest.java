package dev.lrfinder.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Each schedule's formula at hand-computed points: epoch 0, floors, cycle boundaries, the ends of
 * a one-cycle. Tolerance 1e-15 relative (a few double operations; the expected values are exact
 * decimal arithmetic).
 */
class ScheduleFormulaTest {

  private static void near(double expected, double actual) {
    assertEquals(expected, actual, Math.abs(expected) * 1e-14 + 1e-18);
  }

  @Test
  void constantIsTheSameEverywhere() {
    Schedule s = new Constant(0.01);
    near(0.01, s.learningRate(0, 0));
    near(0.01, s.learningRate(123_456, 77));
    assertTrue(s.momentum(5, 0).isEmpty());
    assertEquals("constant 0.01", s.describe());
  }

  @Test
  void timeDecayIsPerUpdate() {
    Schedule s = new TimeDecay(0.01, 0.1);
    near(0.01, s.learningRate(0, 0));
    near(0.005, s.learningRate(10, 0));          // 0.01 / (1 + 1)
    near(0.01 / 20.9, s.learningRate(199, 12));   // the epoch does not matter
    // Seed 004: decay 0.1 from 0.01 over 200 epochs x 16 updates ends "about 3.1e-05".
    near(0.01 / 320.9, s.learningRate(3199, 199));
    near(0.01, new TimeDecay(0.01, 0).learningRate(10_000, 5));
  }

  @Test
  void epochTimeDecayMultipliesOnceAnEpoch() {
    Schedule s = new EpochTimeDecay(1.0, 0.1);
    near(1.0, s.learningRate(0, 0));
    near(1.0, s.learningRate(999, 0));
    near(1 / 1.1, s.learningRate(0, 1));
    near(1 / (1.1 * 1.2), s.learningRate(0, 2));
    near(1 / (1.1 * 1.2 * 1.3), s.learningRate(0, 3));
  }

  @Test
  void stepDecayDropsAtFloorOfOnePlusEpochOverEvery() {
    Schedule s = new StepDecay(0.1, 0.5, 15);
    near(0.1, s.learningRate(0, 0));
    near(0.1, s.learningRate(0, 13));
    near(0.05, s.learningRate(0, 14));   // floor(15 / 15) = 1
    near(0.05, s.learningRate(0, 28));   // floor(29 / 15) = 1
    near(0.025, s.learningRate(0, 29));  // floor(30 / 15) = 2
    near(0.1, new StepDecay(0.1, 0.5, 1).learningRate(0, 0) * 2); // every 1: drops at epoch 0
  }

  @Test
  void exponentialDecayIsPerEpoch() {
    Schedule s = new ExponentialDecay(0.1, 0.1);
    near(0.1, s.learningRate(0, 0));
    near(0.1 * 0.36787944117144233, s.learningRate(500, 10)); // e^-1
  }

  @Test
  void linearDecayIsFlooredAtZero() {
    Schedule s = new LinearDecay(0.001, 1e-5);
    near(0.001, s.learningRate(0, 0));
    near(0.00099, s.learningRate(0, 1));
    near(0.0005, s.learningRate(0, 50));
    assertEquals(0.0, s.learningRate(0, 101));
    assertEquals(0.0, s.learningRate(0, 10_000));
  }

  @Test
  void triangularCyclesBetweenTheBounds() {
    // bckenstler/CLR's example: base 0.001, max 0.006, step 2000.
    Schedule s = new Cyclical(Cyclical.Mode.TRIANGULAR, 0.001, 0.006, 2000, 1);
    near(0.001, s.learningRate(0, 0));
    near(0.0035, s.learningRate(1000, 0));
    near(0.006, s.learningRate(2000, 0));
    near(0.0035, s.learningRate(3000, 0));
    near(0.001, s.learningRate(4000, 0));   // cycle boundary: back at the base
    near(0.006, s.learningRate(6000, 0));   // second peak as high as the first
    near(0.001 + 0.005 * 0.25, s.learningRate(500, 0));
  }

  @Test
  void triangular2HalvesTheAmplitudeEachCycle() {
    Schedule s = new Cyclical(Cyclical.Mode.TRIANGULAR2, 0.001, 0.006, 2000, 1);
    near(0.006, s.learningRate(2000, 0));
    near(0.001, s.learningRate(4000, 0));
    near(0.0035, s.learningRate(6000, 0));           // cycle 2 peak: 0.001 + 0.005 / 2
    near(0.00225, s.learningRate(10_000, 0));        // cycle 3 peak: 0.001 + 0.005 / 4
    near(0.001 + 0.0025 * 0.5, s.learningRate(5000, 0));
  }

  @Test
  void expRangeScalesByGammaToTheIteration() {
    Schedule s = new Cyclical(Cyclical.Mode.EXP_RANGE, 0.001, 0.006, 2000, 0.99994);
    near(0.001, s.learningRate(0, 0));
    // 0.99994^2000 = exp(2000 ln 0.99994) = 0.88691724...; the tolerance covers the 8 digits.
    assertEquals(0.001 + 0.005 * 0.88691724, s.learningRate(2000, 0), 1e-10);
    near(0.006, new Cyclical(Cyclical.Mode.EXP_RANGE, 0.001, 0.006, 2000, 1)
        .learningRate(2000, 0));
  }

  @Test
  void oneCycleWarmsUpThenAnnealsWithMomentumInverse() {
    OneCycle s = OneCycle.fastai(0.01, 200); // peak at pos 0.25 = iteration 50
    near(0.0004, s.learningRate(0, 0));                          // max / div 25
    near(0.95, s.momentum(0, 0).getAsDouble());
    near((0.0004 + 0.01) / 2, s.learningRate(25, 0));            // cosine midpoint of warm-up
    near(0.9, s.momentum(25, 0).getAsDouble());
    near(0.01, s.learningRate(50, 0));
    near(0.85, s.momentum(50, 0).getAsDouble());
    near((0.01 + 1e-7) / 2, s.learningRate(125, 0));             // midpoint of the annealing
    near(0.9, s.momentum(125, 0).getAsDouble());
    near(1e-7, s.learningRate(200, 0));                          // max / div_final 1e5
    near(0.95, s.momentum(200, 0).getAsDouble());
    double last = s.learningRate(199, 0);
    // p = (199/200 - 0.25) / 0.75: 0.01 - 0.01 (1 + cos(pi / 150)) / 2 = 1.096e-6 above 1e-7
    assertEquals(1.1966e-6, last, 1e-10);
    for (long i = 1; i <= 50; i++) {
      assertTrue(s.learningRate(i, 0) > s.learningRate(i - 1, 0));
    }
    for (long i = 51; i <= 200; i++) {
      assertTrue(s.learningRate(i, 0) < s.learningRate(i - 1, 0));
    }
    assertTrue(new OneCycle(0.01, 200, 0.25, 25, 1e5, 0.95, 0.85, false).momentum(3, 0).isEmpty());
  }

  @Test
  void torchOneCycleHitsPeakAndFloorOnWholeUpdates() {
    TorchOneCycle s = TorchOneCycle.pytorch(0.01, 100); // phase 1 ends at 0.3 * 100 - 1 = 29
    near(0.0004, s.learningRate(0, 0));                     // max / div_factor 25
    near(0.95, s.momentum(0, 0).getAsDouble());
    near(0.01, s.learningRate(29, 0));
    near(0.85, s.momentum(29, 0).getAsDouble());
    near((0.01 + 4e-8) / 2, s.learningRate(64, 0));          // (64 - 29) / (99 - 29) = 1/2
    near(0.9, s.momentum(64, 0).getAsDouble());
    near(4e-8, s.learningRate(99, 0));                       // initial / final_div_factor 1e4
    near(0.95, s.momentum(99, 0).getAsDouble());
    near(4e-8, s.learningRate(150, 0));                      // held past the end
    assertThrows(IllegalArgumentException.class,
        () -> new TorchOneCycle(0.01, 3, 0.3, 25, 1e4, 0.95, 0.85, true)); // 0.3 * 3 - 1 < 0
  }

  @Test
  void warmupCosineFollowsKerasCosineDecay() {
    Schedule s = new WarmupCosine(0.01, 10, 110, 0, 0);
    near(0.0, s.learningRate(0, 0));
    near(0.005, s.learningRate(5, 0));
    near(0.01, s.learningRate(10, 0));
    near(0.005, s.learningRate(60, 0));
    assertEquals(0.0, s.learningRate(110, 0), 1e-18);
    assertEquals(0.0, s.learningRate(500, 0), 1e-18);
    near(0.001, new WarmupCosine(0.01, 10, 110, 0, 0.1).learningRate(110, 0));
    near(0.01, new WarmupCosine(0.01, 0, 100, 0, 0).learningRate(0, 0));
  }

  @Test
  void badSettingsAreRefusedWithOneLine() {
    for (Runnable bad : new Runnable[] {
        () -> new Constant(-1), () -> new Constant(Double.NaN),
        () -> new TimeDecay(0.1, -1), () -> new StepDecay(0.1, 0, 10),
        () -> new StepDecay(0.1, 0.5, 0),
        () -> new Cyclical(Cyclical.Mode.TRIANGULAR, 0.1, 0.01, 10, 1),
        () -> new Cyclical(Cyclical.Mode.EXP_RANGE, 0.01, 0.1, 10, 1.5),
        () -> new OneCycle(0.1, 100, 1.0, 25, 1e5, 0.95, 0.85, true),
        () -> new WarmupCosine(0.1, 100, 100, 0, 0)}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }
}
