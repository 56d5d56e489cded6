package dev.lrfinder.rangetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verification ranks rates by held-out loss on a model whose answer is known in closed form. */
class VerificationTest {
  private static Dataset rows(int n) {
    float[] x = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
    }
    return new Dataset(HostArray.ofFloats(new long[] {n, 1}, x),
        HostArray.ofFloats(new long[] {n}, y));
  }

  private static RateCandidate candidate(double lr, String... rules) {
    return new RateCandidate(lr, List.of(rules));
  }

  private static final int STEPS = 3;

  /** (1 - 2 lr)^(2N): the held-out loss of the quadratic after N steps at {@code lr}. */
  private static double expected(double lr) {
    return Math.pow(1 - 2 * lr, 2 * STEPS);
  }

  @Test
  void ratesAreRankedByHeldOutLossDivergedLastAndTheModelComesBack() {
    QuadraticModel model = new QuadraticModel("sgd");
    Map<String, List<RateCandidate>> candidates = new LinkedHashMap<>();
    // Losses after 3 steps: 1.2 -> 1.4^6 = 7.5 (above the start 1: diverged), 0.01 -> 0.886,
    // 0.1 -> 0.262, 0.5 -> 0 (the minimum in one step), 0.3 -> 0.004, 1e200 -> inf (diverged).
    candidates.put("sgd", List.of(candidate(1.2, "slide"), candidate(0.01, "steep"),
        candidate(0.1, "valley", "minimum"), candidate(0.5, "loss_delta"),
        candidate(0.3, "other"), candidate(1e200, "huge")));
    VerificationResult result = new Verification(STEPS, false, List.of())
        .run(model, new dev.lrfinder.data.Batches(rows(64), 8, true, 0), rows(16), "test rows",
            candidates, new CancellationToken());

    OptimizerVerification sgd = result.optimizer("sgd").orElseThrow();
    assertEquals(1.0, sgd.startHeldOutLoss(), 0.0);
    List<Double> order = sgd.ranked().stream().map(VerifiedRate::learningRate).toList();
    assertEquals(List.of(0.5, 0.3, 0.1, 0.01, 1.2, 1e200), order);
    for (VerifiedRate r : sgd.ranked()) {
      assertEquals(sgd.ranked().indexOf(r) + 1, r.rank());
      assertEquals(r.rank() == 1, r.recommended(), "only the best is recommended");
      if (r.learningRate() < 1) {
        assertEquals(expected(r.learningRate()), r.heldOutLoss(), 1e-12);
        assertFalse(r.diverged());
        assertEquals(STEPS, r.stepsRun());
      }
    }
    VerifiedRate above = sgd.ranked().get(4);
    assertTrue(above.diverged(), "held-out loss above the start");
    assertEquals(expected(1.2), above.heldOutLoss(), 1e-9);
    VerifiedRate huge = sgd.ranked().get(5);
    assertTrue(huge.diverged());
    assertEquals(StopReason.NON_FINITE_LOSS, huge.stopReason());
    assertTrue(huge.stepsRun() < STEPS, "stopped at the first non-finite loss");
    assertEquals(List.of("valley", "minimum"), sgd.ranked().get(2).rules());
    assertEquals(0.5, sgd.recommendation().orElseThrow().learningRate(), 0.0);
    // Restored after every run and at the end: weight and learning rate as before.
    assertEquals(0.0, model.weight(), 0.0);
    assertEquals(0.25, model.learningRate("sgd"), 0.0);
    assertEquals(candidates.get("sgd").size() + 1, model.restores);
    assertEquals(16, result.heldOutRows());
  }

  @Test
  void everyRunDivergedMeansNoRecommendation() {
    QuadraticModel model = new QuadraticModel("sgd");
    VerificationResult result = new Verification(STEPS, false, List.of()).run(model,
        new dev.lrfinder.data.Batches(rows(64), 8, true, 0), rows(8), "test rows",
        Map.of("sgd", List.of(candidate(1.5, "a"), candidate(1.2, "b"))), new CancellationToken());
    OptimizerVerification sgd = result.optimizer("sgd").orElseThrow();
    assertTrue(sgd.recommendation().isEmpty());
    assertEquals(List.of(1.2, 1.5), sgd.ranked().stream().map(VerifiedRate::learningRate).toList());
    assertTrue(sgd.ranked().stream().allMatch(VerifiedRate::diverged));
  }

  @Test
  void listenersSeeEveryRunAndCanStopOneCancellationStopsAll() {
    QuadraticModel model = new QuadraticModel("sgd", "adam");
    List<String> events = new ArrayList<>();
    CancellationToken token = new CancellationToken();
    RangeTestListener listener = new RangeTestListener() {
      @Override
      public void onVerifyStart(String optimizer, double learningRate, long steps) {
        events.add("start " + optimizer + " " + learningRate + " " + steps);
      }

      @Override
      public StepDecision onStep(StepEvent event) {
        events.add("step " + event.step());
        if (event.learningRate() == 0.1 && event.step() == 0) {
          return StepDecision.STOP;
        }
        if (event.optimizer().equals("adam")) {
          token.cancel();
        }
        return StepDecision.CONTINUE;
      }

      @Override
      public void onVerifyEnd(String optimizer, double learningRate, int stepsRun,
          double heldOutLoss, StopReason stopReason) {
        events.add("end " + optimizer + " " + stepsRun + " " + stopReason);
      }
    };
    Map<String, List<RateCandidate>> candidates = new LinkedHashMap<>();
    candidates.put("sgd", List.of(candidate(0.1, "a"), candidate(0.2, "b")));
    candidates.put("adam", List.of(candidate(0.1, "a"), candidate(0.2, "b")));
    VerificationResult result = new Verification(2, false, List.of(listener)).run(model,
        new dev.lrfinder.data.Batches(rows(64), 8, true, 0), rows(8), "test rows", candidates,
        token);
    assertEquals(List.of("start sgd 0.1 2", "step 0", "end sgd 1 LISTENER",
        "start sgd 0.2 2", "step 0", "step 1", "end sgd 2 END_OF_RANGE",
        "start adam 0.1 2", "step 0", "end adam 1 LISTENER",
        "start adam 0.2 2", "step 0", "end adam 1 CANCELLED"), events);
    assertTrue(result.stoppedEarly());
    VerifiedRate cut = result.optimizer("adam").orElseThrow().ranked().get(1);
    assertEquals(StopReason.CANCELLED, cut.stopReason());
    assertTrue(Double.isNaN(cut.heldOutLoss()), "a cancelled run is not measured");
    assertEquals(0.0, model.weight(), 0.0);
    assertEquals(0.25, model.learningRate("adam"), 0.0);
  }

  @Test
  void aListenerThatThrowsLeavesTheModelRestored() {
    QuadraticModel model = new QuadraticModel("sgd");
    RangeTestListener failing = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        throw new IllegalStateException("listener failed");
      }
    };
    assertThrows(IllegalStateException.class, () -> new Verification(2, false, List.of(failing))
        .run(model, new dev.lrfinder.data.Batches(rows(64), 8, true, 0), rows(8), "rows",
            Map.of("sgd", List.of(candidate(0.1, "a"))), new CancellationToken()));
    assertEquals(0.0, model.weight(), 0.0);
    assertEquals(0.25, model.learningRate("sgd"), 0.0);
  }

  @Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Verification(0, false, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new RateCandidate(0, List.of("a")));
    assertThrows(IllegalArgumentException.class, () -> new RateCandidate(1e-3, List.of()));
  }

  @Test
  void theValidationSplitHoldsOutTheLastFifthOfTheRows() {
    HeldOut split = HeldOut.validationSplit(rows(10));
    assertEquals(8, split.train().rows());
    assertEquals(2, split.heldOut().rows());
    assertEquals(8.0, split.heldOut().x().getDouble(0), 0.0);
    assertEquals(7.0, split.train().x().getDouble(7), 0.0);
    assertTrue(split.description().contains("validation split"));
    // Keras's own split: floor(3 * 0.8) = 2 rows train, 1 validates; 1 row cannot be split
    assertEquals(1, HeldOut.validationSplit(rows(3)).heldOut().rows());
    assertThrows(IllegalArgumentException.class, () -> HeldOut.validationSplit(rows(1)));
  }
}
