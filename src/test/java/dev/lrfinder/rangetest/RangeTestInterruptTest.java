package dev.lrfinder.rangetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An interrupted range test (Ctrl-C reaches it as an interrupt of its thread, sent by the CLI's
 * shutdown hook) stops at the next step, reports INTERRUPTED, runs no further optimizer and
 * restores the model.
 */
class RangeTestInterruptTest {
  private static Dataset rows() {
    float[] x = new float[640];
    return new Dataset(HostArray.ofFloats(new long[] {640, 1}, x),
        HostArray.ofFloats(new long[] {640}, new float[640]));
  }

  /** Runs {@code test} on a thread of its own, so the interrupt stays there. */
  private static RangeTestResult onItsOwnThread(RangeTest test, ScriptedModel model)
      throws InterruptedException {
    AtomicReference<RangeTestResult> result = new AtomicReference<>();
    Thread thread = new Thread(() -> result.set(test.run(model, rows(), null)));
    thread.start();
    thread.join(60_000);
    assertFalse(thread.isAlive());
    return result.get();
  }

  @Test
  void anInterruptDuringAStepStopsAtTheNextAndRestoresTheModel() throws InterruptedException {
    ScriptedModel model = new ScriptedModel(lr -> 1.0, "adam", "sgd");
    List<String> ended = new ArrayList<>();
    RangeTestListener ctrlC = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        if (event.step() == 7) {
          Thread.currentThread().interrupt(); // what CommandShutdown does on SIGINT
        }
        return StepDecision.CONTINUE;
      }

      @Override
      public void onEnd(OptimizerCurve curve) {
        ended.add(curve.optimizer() + " " + curve.stopReason());
      }
    };
    RangeTest test = new RangeTest(RangeTestConfig.builder().startLr(1e-4).endLr(1).steps(40)
        .batchSize(16).stopFactor(0).build(), List.of(ctrlC));

    RangeTestResult result = onItsOwnThread(test, model);

    assertEquals(List.of("adam INTERRUPTED"), ended, "sgd never starts");
    OptimizerCurve curve = result.curves().get(0);
    assertEquals(8, curve.stepsRun(), "steps 0..7 ran, step 8 did not");
    assertEquals(0, model.steps(), "state restored");
    assertEquals(0.5, model.learningRate("adam"));
    assertTrue(model.restores >= 1);
  }

  @Test
  void aCancelledTokenStopsBeforeTheNextStepAndRestoresTheModel() {
    ScriptedModel model = new ScriptedModel(lr -> 1.0, "adam", "sgd");
    CancellationToken token = new CancellationToken();
    List<String> ended = new ArrayList<>();
    RangeTestListener canceller = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        if (event.step() == 4) {
          token.cancel(); // e.g. from a service's DELETE, on another thread
        }
        return StepDecision.CONTINUE;
      }

      @Override
      public void onEnd(OptimizerCurve curve) {
        ended.add(curve.optimizer() + " " + curve.stopReason());
      }
    };
    RangeTestConfig config = RangeTestConfig.builder().startLr(1e-4).endLr(1).steps(40)
        .batchSize(16).stopFactor(0).build();
    Dataset data = rows();
    RangeTestResult result = new RangeTest(config, List.of(canceller))
        .run(model, config.batches(data), null, token);
    assertEquals(List.of("adam CANCELLED"), ended, "sgd never starts");
    assertEquals(5, result.curves().get(0).stepsRun());
    assertEquals(0, model.steps(), "state restored");
    assertFalse(Thread.currentThread().isInterrupted());
  }

  @Test
  void aSourceOfAnotherBatchSizeIsRefused() {
    RangeTestConfig config = RangeTestConfig.builder().batchSize(32).build();
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> new RangeTest(config).run(
            new ScriptedModel(lr -> 1.0, "sgd"), new dev.lrfinder.data.Batches(rows(), 16, false, 0),
            null, new CancellationToken()));
    assertEquals("the batch source gives batches of 16 rows, the config asks for 32",
        e.getMessage());
  }
}
