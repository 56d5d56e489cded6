package dev.lrfinder.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.model.TrainingPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * The shared base's own rules, on a model whose session calls only record the rate: a step at a
 * rate that takes two calls (the base's default) is atomic across threads, and a closed model
 * refuses calls.
 */
class SessionModelTest {
  private static final Batch BATCH = new Batch(HostArray.ofFloats(new long[] {1, 2}, 1f, 2f),
      HostArray.ofInts(new long[] {1}, 0));

  /** Sets the rate, waits a little (a window for another thread), trains: returns the rate. */
  private static final class TwoCallModel extends SessionModel {
    private final Graph graph;
    private final Session session;
    private double rate = 0.01;
    private boolean closedSession;

    TwoCallModel(Graph graph, Session session) {
      super(new ModelContract(1, "two_calls", null, 0, 0,
          new TensorSpec("x", DType.FLOAT32, new long[] {-1, 2}),
          new TensorSpec("y", DType.INT32, new long[] {-1}), "sparse_categorical_crossentropy",
          List.of(), List.of(new OptimizerInfo("sgd", "SGD", Map.of(), 0.01)), "-", "-"),
          VariableStore.create(graph, session));
      this.graph = graph;
      this.session = session;
    }

    @Override
    public TrainingPath trainingPath() {
      return TrainingPath.exported("a test double");
    }

    @Override
    protected StepResult train(String optimizer, Batch batch) {
      return new StepResult(rate, Map.of(), Map.of());
    }

    @Override
    protected StepResult evaluateBatch(Batch batch) {
      return new StepResult(rate, Map.of(), Map.of());
    }

    @Override
    protected double readLearningRate(String optimizer) {
      return rate;
    }

    @Override
    protected void writeLearningRate(String optimizer, double learningRate) {
      rate = learningRate;
      Thread.yield();
    }

    @Override
    protected void closeSession() {
      closedSession = true;
      session.close();
      graph.close();
    }
  }

  private static TwoCallModel model() {
    Graph graph = new Graph();
    return new TwoCallModel(graph, new Session(graph));
  }

  @Test
  void aTwoCallStepAtARateIsAtomicAcrossThreads() throws Exception {
    try (TwoCallModel model = model()) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Integer>> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          double own = 0.1 * (t + 1);
          threads.add(pool.submit(() -> {
            int wrong = 0;
            for (int i = 0; i < 20_000; i++) {
              wrong += model.trainStep("sgd", own, BATCH).loss() == own ? 0 : 1;
            }
            return wrong;
          }));
        }
        for (Future<Integer> thread : threads) {
          assertEquals(0, thread.get(2, TimeUnit.MINUTES),
              "steps that trained at another thread's rate");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void checksComeBeforeTheSessionAndAClosedModelRefusesCalls() {
    TwoCallModel model = model();
    assertEquals("the model has no optimizer 'adam'; it has sgd",
        assertThrows(IllegalArgumentException.class,
            () -> model.trainStep("adam", 0.1, BATCH)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> model.setLearningRate("sgd", -1));
    assertThrows(IllegalArgumentException.class,
        () -> model.trainStep("sgd", Double.POSITIVE_INFINITY, BATCH));
    assertEquals(0.01, model.learningRate("sgd"), "no check changed the rate");
    model.close();
    model.close();
    assertEquals(true, model.closedSession);
    assertEquals("model 'two_calls' is closed", assertThrows(IllegalStateException.class,
        model::snapshot).getMessage());
    assertThrows(IllegalStateException.class, () -> model.evaluate(BATCH));
  }
}
