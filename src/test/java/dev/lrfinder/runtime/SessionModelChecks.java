package dev.lrfinder.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lrfinder.data.Batches;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainableModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Checks every training path must pass: the one-call step, and atomic calls across threads. */
public final class SessionModelChecks {
  private SessionModelChecks() {}

  /**
   * {@code fused} trained with {@code trainStep(optimizer, rate, batch)} and {@code split}, a twin
   * instance from the same directory, with {@code setLearningRate} then {@code trainStep}, at a
   * rate that changes every step as in a range test: the losses, metrics, every variable and the
   * rate read back are equal bit for bit.
   */
  public static void assertFusedStepEqualsTwoCalls(TrainableModel fused, TrainableModel split,
      String optimizer, Batches batches, int steps) {
    ModelSnapshot.InMemory start = (ModelSnapshot.InMemory) fused.snapshot();
    assertEquals(start.values(), ((ModelSnapshot.InMemory) split.snapshot()).values(),
        "the twins start equal");
    for (int i = 0; i < steps; i++) {
      double rate = 1e-4 * Math.pow(1.6, i);
      StepResult one = fused.trainStep(optimizer, rate, batches.get(i));
      split.setLearningRate(optimizer, rate);
      StepResult two = split.trainStep(optimizer, batches.get(i));
      assertEquals(Double.doubleToRawLongBits(two.loss()), Double.doubleToRawLongBits(one.loss()),
          "loss of step " + i);
      assertEquals(two.metrics(), one.metrics(), "metrics of step " + i);
      assertEquals(two.outputLosses(), one.outputLosses(), "output losses of step " + i);
      assertEquals((double) (float) rate, fused.learningRate(optimizer), 0.0,
          "the rate stays set after step " + i);
      assertEquals(split.learningRate(optimizer), fused.learningRate(optimizer), 0.0);
    }
    List<?> after = ((ModelSnapshot.InMemory) fused.snapshot()).values();
    assertEquals(((ModelSnapshot.InMemory) split.snapshot()).values(), after,
        "every variable equal after " + steps + " steps");
    assertNotEquals(start.values(), after, "the steps trained");
  }

  /**
   * Several threads on one instance: {@code steppers} threads train {@code optimizer} at rate 0
   * (which leaves the weights alone) while others set its rate to 1, snapshot, restore the
   * starting snapshot (whose rate is the model's own, not 0) and evaluate. Were a step's rate and
   * its training two calls that another thread's call could come between, a step would train at
   * a rate other than 0 and move the weights. So every step's loss must equal, bit for bit, the
   * loss a single thread gets for that batch, and the weights must end as they started.
   */
  public static void assertCallsAreAtomicAcrossThreads(TrainableModel model, String optimizer,
      Batches batches, int stepsPerThread, int steppers) throws Exception {
    ModelSnapshot start = model.snapshot();
    int batchCount = 8;
    List<Double> reference = new ArrayList<>();
    for (int j = 0; j < batchCount; j++) {
      reference.add(model.trainStep(optimizer, 0.0, batches.get(j)).loss());
    }
    double startEval = model.evaluate(batches.get(0)).loss();
    model.restore(start);
    assertNotEquals(0.0, model.learningRate(optimizer), "the start rate must not be 0");

    AtomicBoolean stepping = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(steppers + 2);
    try {
      List<Future<List<String>>> steps = new ArrayList<>();
      for (int t = 0; t < steppers; t++) {
        int thread = t;
        steps.add(pool.submit(() -> {
          List<String> wrong = new ArrayList<>();
          for (int i = 0; i < stepsPerThread; i++) {
            int j = (thread + i) % batchCount;
            double loss = model.trainStep(optimizer, 0.0, batches.get(j)).loss();
            if (Double.doubleToRawLongBits(loss) != Double.doubleToRawLongBits(reference.get(j))) {
              wrong.add("thread " + thread + " step " + i + ": " + loss + " != "
                  + reference.get(j));
            }
          }
          return wrong;
        }));
      }
      Future<?> rates = pool.submit(() -> {
        while (stepping.get()) {
          model.setLearningRate(optimizer, 1.0);
          model.learningRate(optimizer);
        }
        return null;
      });
      Future<?> snapshots = pool.submit(() -> {
        while (stepping.get()) {
          model.snapshot();
          model.restore(start);
          model.evaluate(batches.get(1));
        }
        return null;
      });
      List<String> wrong = new ArrayList<>();
      for (Future<List<String>> f : steps) {
        wrong.addAll(f.get(5, TimeUnit.MINUTES));
      }
      stepping.set(false);
      rates.get(1, TimeUnit.MINUTES);
      snapshots.get(1, TimeUnit.MINUTES);
      assertEquals(List.of(), wrong.subList(0, Math.min(5, wrong.size())),
          wrong.size() + " steps trained at a rate other than theirs");
    } finally {
      stepping.set(false);
      pool.shutdownNow();
    }
    assertEquals(Double.doubleToRawLongBits(startEval),
        Double.doubleToRawLongBits(model.evaluate(batches.get(0)).loss()),
        "the weights end as they started");
    model.restore(start);
  }
}
