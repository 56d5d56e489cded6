package dev.lrfinder.rangetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RangeTestEngineTest {
  /** 640 rows whose feature is the row number, so a batch's first value names its first row. */
  private static Dataset rows() {
    float[] x = new float[640];
    float[] y = new float[640];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    return new Dataset(HostArray.ofFloats(new long[] {640, 1}, x), HostArray.ofFloats(new long[] {640}, y));
  }

  private static RangeTestConfig.Builder config() {
    return RangeTestConfig.builder().startLr(1e-4).endLr(1).steps(40).batchSize(16);
  }

  @Test
  void exponentialScheduleMatchesSeedTwoMultiplier() {
    double start = 1e-10;
    double end = 10;
    int n = 300;
    double multiplier = Math.pow(end / start, 1.0 / n); // seed 002: lrMult
    double lr = start;
    for (int i = 0; i < n; i++) {
      assertEquals(lr, LrSchedule.EXPONENTIAL.rate(i, n, start, end), lr * 1e-12, "step " + i);
      lr *= multiplier;
    }
    assertEquals(1e-7, LrSchedule.EXPONENTIAL.rate(0, 100, 1e-7, 10), 0);
    assertEquals(1e-6, LrSchedule.EXPONENTIAL.rate(12, 96, 1e-7, 10), 1e-18);
  }

  @Test
  void linearScheduleIsEvenlySpaced() {
    assertEquals(0.1, LrSchedule.LINEAR.rate(0, 10, 0.1, 1.1), 0);
    assertEquals(0.6, LrSchedule.LINEAR.rate(5, 10, 0.1, 1.1), 1e-15);
    assertEquals(LrSchedule.LINEAR, LrSchedule.parse("linear"));
    assertEquals(LrSchedule.EXPONENTIAL, LrSchedule.parse("exp"));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("cosine"));
  }

  @Test
  void smoothingIsTheBiasCorrectedMovingAverage() {
    LossSmoother smoother = new LossSmoother(0.98);
    // By hand: avg1 = 0.02*2 = 0.04 -> 0.04/0.02 = 2; avg2 = 0.98*0.04 + 0.02*1 = 0.0592,
    // 1 - 0.98^2 = 0.0396 -> 1.494949...; avg3 = 0.98*0.0592 + 0.02*4 = 0.138016,
    // 1 - 0.98^3 = 0.058808 -> 2.346891...
    assertEquals(2.0, smoother.add(2), 1e-12);
    assertEquals(0.0592 / 0.0396, smoother.add(1), 1e-12);
    assertEquals(0.138016 / 0.058808, smoother.add(4), 1e-12);
    assertEquals(5.0, new LossSmoother(0).add(5), 0);
  }

  @Test
  void stopsAtTheFirstStepWhoseSmoothedLossExceedsFourTimesTheBest() {
    // Loss 1 for the first 20 steps, then 100: smoothed crosses 4x best at a computable step.
    List<Double> smoothed = new ArrayList<>();
    LossSmoother smoother = new LossSmoother(0.98);
    int expectedStop = -1;
    for (int step = 0; step < 40 && expectedStop < 0; step++) {
      double s = smoother.add(step < 20 ? 1 : 100);
      smoothed.add(s);
      if (step > 0 && s > 4 * 1.0) {
        expectedStop = step;
      }
    }
    int[] step = {0};
    ScriptedModel model = new ScriptedModel(lr -> step[0]++ < 20 ? 1 : 100, "sgd");
    OptimizerCurve curve = new RangeTest(config().build()).run(model, rows(), null).curve("sgd");

    assertEquals(StopReason.DIVERGED, curve.stopReason());
    assertEquals(expectedStop + 1, curve.stepsRun(), "the stopping step is recorded");
    assertEquals(smoothed, curve.smoothedLosses());
    assertEquals(1.0, curve.bestSmoothedLoss(), 1e-12);
  }

  @Test
  void stopFactorZeroRunsTheWholeRange() {
    int[] step = {0};
    ScriptedModel model = new ScriptedModel(lr -> step[0]++ < 20 ? 1 : 100, "sgd");
    OptimizerCurve curve = new RangeTest(config().stopFactor(0).build()).run(model, rows(), null)
        .curve("sgd");
    assertEquals(StopReason.END_OF_RANGE, curve.stopReason());
    assertEquals(40, curve.stepsRun());
    assertEquals(LrSchedule.EXPONENTIAL.rate(39, 40, 1e-4, 1), curve.learningRates().get(39), 0);
  }

  @Test
  void nonFiniteLossStopsTheRun() {
    ScriptedModel model = new ScriptedModel(lr -> lr > 1e-2 ? Double.NaN : 1.0, "sgd");
    OptimizerCurve curve = new RangeTest(config().build()).run(model, rows(), null).curve("sgd");
    assertEquals(StopReason.NON_FINITE_LOSS, curve.stopReason());
    int last = curve.stepsRun() - 1;
    assertTrue(Double.isNaN(curve.losses().get(last)));
    assertTrue(curve.learningRates().get(last) > 1e-2);
    assertTrue(curve.learningRates().get(last - 1) <= 1e-2);
  }

  @Test
  void everyOptimizerStartsFromTheSameStateAndBatchOrderAndIsRestored() {
    ScriptedModel model = new ScriptedModel(lr -> 1.0, "adam", "sgd");
    RangeTestResult result = new RangeTest(config().stopFactor(0).build()).run(model, rows(), null);

    assertEquals(List.of("adam", "sgd"), result.curves().stream().map(OptimizerCurve::optimizer).toList());
    List<Long> seen = model.firstRowsSeen();
    assertEquals(seen.subList(0, 40), seen.subList(40, 80), "same batch order for both optimizers");
    assertEquals(0, model.steps(), "state restored");
    assertEquals(0.5, model.learningRate("adam"));
    assertEquals(0.5, model.learningRate("sgd"));
  }

  @Test
  void aThrowingListenerStillRestoresTheModel() {
    ScriptedModel model = new ScriptedModel(lr -> 1.0, "sgd");
    RangeTestListener failing = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        if (event.step() == 5) {
          throw new IllegalStateException("metrics backend down");
        }
        return StepDecision.CONTINUE;
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new RangeTest(config().build(), List.of(failing)).run(model, rows(), null));
    assertEquals("metrics backend down", e.getMessage());
    assertEquals(0, model.steps());
    assertEquals(0.5, model.learningRate("sgd"));
    assertTrue(model.restores >= 1);
  }

  @Test
  void aListenerCanStopTheRunAndSeesEveryStep() {
    List<Double> lrsSeen = new ArrayList<>();
    List<String> events = new ArrayList<>();
    RangeTestListener listener = new RangeTestListener() {
      @Override
      public void onStart(String optimizer, long plannedSteps) {
        events.add("start " + optimizer + " " + plannedSteps);
      }

      @Override
      public StepDecision onStep(StepEvent event) {
        assertEquals("sgd", event.optimizer());
        lrsSeen.add(event.learningRate());
        return event.step() == 9 ? StepDecision.STOP : StepDecision.CONTINUE;
      }

      @Override
      public void onEnd(OptimizerCurve curve) {
        events.add("end " + curve.optimizer() + " " + curve.stopReason());
      }
    };
    ScriptedModel model = new ScriptedModel(lr -> 1.0, "sgd");
    OptimizerCurve curve = new RangeTest(config().build(), List.of(listener)).run(model, rows(), null)
        .curve("sgd");
    assertEquals(StopReason.LISTENER, curve.stopReason());
    assertEquals(10, curve.stepsRun());
    assertEquals(curve.learningRates(), lrsSeen);
    assertEquals(List.of("start sgd 40", "end sgd LISTENER"), events);
  }

  @Test
  void seedChangesTheBatchOrderAndTheSameSeedRepeatsIt() {
    ScriptedModel a = new ScriptedModel(lr -> 1.0, "sgd");
    ScriptedModel b = new ScriptedModel(lr -> 1.0, "sgd");
    ScriptedModel c = new ScriptedModel(lr -> 1.0, "sgd");
    new RangeTest(config().seed(1).build()).run(a, rows(), null);
    new RangeTest(config().seed(1).build()).run(b, rows(), null);
    new RangeTest(config().seed(2).build()).run(c, rows(), null);
    assertEquals(a.firstRowsSeen(), b.firstRowsSeen());
    assertNotEquals(a.firstRowsSeen(), c.firstRowsSeen());
  }

  @Test
  void epochBudgetsPlanWholeEpochs() {
    assertEquals(200, StepBudget.epochs(5).plannedSteps(40));
    assertEquals(2080, StepBudget.autoEpochs().plannedSteps(40)); // ceil(2048/40) = 52 epochs
    assertEquals(100, StepBudget.steps(100).plannedSteps(7));
  }

  @Test
  void rejectsUnknownOptimizersAndBadSettings() {
    ScriptedModel model = new ScriptedModel(lr -> 1.0, "sgd");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RangeTest(config().optimizers(List.of("adam")).build()).run(model, rows(), null));
    assertTrue(e.getMessage().contains("no optimizer 'adam'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> config().startLr(1).endLr(0.5).build());
    assertThrows(IllegalArgumentException.class, () -> config().stopFactor(0.5).build());
    assertThrows(IllegalArgumentException.class, () -> config().beta(1).build());
    assertThrows(IllegalArgumentException.class,
        () -> new RangeTest(config().validationBatches(2).build()).run(model, rows(), null));
  }

  @Test
  void validationModeFollowsTheHeldOutLoss() {
    ScriptedModel model = new ScriptedModel(lr -> 7.0, "sgd");
    OptimizerCurve curve = new RangeTest(config().validationBatches(2).build())
        .run(model, rows(), rows()).curve("sgd");
    assertEquals(7.0, curve.trainLosses().get(0));
    assertEquals(1.0, curve.losses().get(0), "ScriptedModel evaluates to 1");
  }
  /**
   * An already-trained classifier: most batches have a loss near 0.002, 3 in 10 hold a
   * misclassified example and a loss up to 0.022 (batch noise as public checkpoints give), flat
   * until the rate reaches 0.3, then rising.
   */
  private static ScriptedModel alreadyTrained(long seed) {
    java.util.Random random = new java.util.Random(seed);
    return new ScriptedModel(lr -> (0.002 * Math.exp(0.3 * random.nextGaussian())
        + (random.nextDouble() < 0.3 ? 0.02 * random.nextDouble() : 0))
        * (1 + Math.pow(lr / 0.3, 2)), "adam");
  }

  @Test
  void batchNoiseInTheWarmUpWindowNeverStopsTheRun() {
    RangeTestConfig config = RangeTestConfig.builder().batchSize(16).build(); // 100 steps to 10
    int stoppedEarlyBefore = 0;
    for (long seed = 0; seed < 20; seed++) {
      OptimizerCurve old = new RangeTest(config.toBuilder().skipBegin(0).build())
          .run(alreadyTrained(seed), rows(), null).curve("adam");
      if (old.stopReason() == StopReason.DIVERGED && old.stepsRun() <= 10) {
        stoppedEarlyBefore++; // seed 002's rule from step 1 on: "diverged" on noise
      }
      OptimizerCurve curve = new RangeTest(config).run(alreadyTrained(seed), rows(), null)
          .curve("adam");
      assertTrue(curve.stepsRun() > 60, "seed " + seed + " stopped at " + curve.stepsRun());
      assertEquals(curve.smoothedLosses().subList(10, curve.stepsRun()).stream()
          .mapToDouble(Double::doubleValue).min().orElseThrow(), curve.bestSmoothedLoss(), 0,
          "the best counts from the window on");
      dev.lrfinder.suggest.Curve prepared = dev.lrfinder.suggest.RangeTestAnalysis
          .of(new RangeTestResult(config, 100, 100, 1600, List.of(curve))).optimizer("adam")
          .window();
      assertTrue(!prepared.falls(), "seed " + seed + ": " + prepared.descent());
      assertTrue(prepared.descent().reason().startsWith("the loss never fell"));
    }
    assertTrue(stoppedEarlyBefore >= 3, stoppedEarlyBefore + " of 20 seeds stopped early before");
  }

  @Test
  void aDivergenceAfterTheWindowStillStops() {
    int[] step = {0};
    ScriptedModel model = new ScriptedModel(lr -> step[0]++ < 30 ? 1 : 100, "sgd");
    OptimizerCurve curve = new RangeTest(config().skipBegin(25).build()).run(model, rows(), null)
        .curve("sgd");
    assertEquals(StopReason.DIVERGED, curve.stopReason());
    assertTrue(curve.stepsRun() < 40);
  }
}
