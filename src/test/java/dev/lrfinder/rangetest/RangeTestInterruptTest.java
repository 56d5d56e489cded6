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
}
