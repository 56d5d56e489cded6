package dev.lrfinder.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TType;

class GraphOptimizerTest {
  private static final List<float[]> GRADS = List.of(new float[] {1, -2, 3, -4}, new float[] {5, 6});

  private static ModelVariables model(Ops tf) {
    ModelVariables model = new ModelVariables();
    model.add(tf, "kernel", new long[] {2, 2}, new float[] {1, 2, 3, 4});
    model.add(tf, "bias", new long[] {2}, new float[] {0, 0});
    return model;
  }

  private static List<Operand<? extends TType>> slots(GraphOptimizer opt, String prefix) {
    return opt.variables().stream().filter(v -> v.name().contains("/" + prefix + "_"))
        .map(OptimizerVariable::handle).collect(Collectors.toList());
  }

  @Test
  void twoInstancesOnTheSameVariablesKeepTheirOwnSlots() {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      ModelVariables model = model(tf);
      GraphOptimizer first = GraphOptimizer.create(tf, "adam", AdamConfig.defaults(), model.trainables);
      GraphOptimizer second = GraphOptimizer.create(tf, "adam", AdamConfig.defaults(), model.trainables);
      Set<String> shared = new HashSet<>();
      for (GraphOptimizer opt : List.of(first, second)) {
        // m and v per variable, learning rate, iteration counter, beta_1 and 1 - beta_1.
        assertEquals(8, opt.variables().size());
        opt.variables().forEach(v -> assertTrue(shared.add(v.sharedName()), v.sharedName()));
      }
      model.initialize(session);
      first.initialize(session);
      second.initialize(session);
      model.run(session, first.step(), GRADS);
      model.run(session, first.step(), GRADS);

      assertEquals(2, first.iterations(session));
      assertEquals(0, second.iterations(session));
      List<float[]> firstM = ModelVariables.readHandles(session, tf, slots(first, "m"));
      List<float[]> secondM = ModelVariables.readHandles(session, tf, slots(second, "m"));
      assertNotEquals(0f, firstM.get(0)[0]);
      assertArrayEquals(new float[4], secondM.get(0));
      assertArrayEquals(new float[2], secondM.get(1));
    }
  }

  @Test
  void learningRateStartsAtTheConfigAndRoundTrips() {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      ModelVariables model = model(tf);
      GraphOptimizer sgd = GraphOptimizer.create(tf, "sgd", new SgdConfig(0.25, 0, false, 0),
          model.trainables);
      model.initialize(session);
      sgd.initialize(session);
      assertEquals(0.25f, sgd.learningRate(session));
      sgd.setLearningRate(session, 0.1);
      assertEquals(0.1f, sgd.learningRate(session));
      sgd.setLearningRate(session, 3e-5);
      assertEquals((float) 3e-5, sgd.learningRate(session));
      // The step reads the live rate: kernel -= 3e-5 * grad.
      model.run(session, sgd.step(), GRADS);
      assertEquals(1f - (float) 3e-5 * 1f, model.values(session).get(0)[0]);
      // Re-initializing resets the rate and the counter.
      sgd.initialize(session);
      assertEquals(0.25f, sgd.learningRate(session));
      assertEquals(0, sgd.iterations(session));
    }
  }

  @Test
  void everyConfigBuildsItsSlots() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ModelVariables model = model(tf);
      assertEquals(2, GraphOptimizer.create(tf, "a", SgdConfig.defaults(), model.trainables)
          .variables().size());
      // With a momentum, its variable too (one; Adam's two: beta_1 and 1 - beta_1).
      assertEquals(5, GraphOptimizer.create(tf, "b", new SgdConfig(0.1, 0.9, true, 0),
          model.trainables).variables().size());
      assertEquals(9, GraphOptimizer.create(tf, "c", new RmsPropConfig(0.1, 0.9, 0.5, 1e-7, true, 0),
          model.trainables).variables().size());
      assertEquals(4, GraphOptimizer.create(tf, "d", AdagradConfig.defaults(), model.trainables)
          .variables().size());
      assertEquals(10, GraphOptimizer.create(tf, "e",
          new AdamWConfig(0.1, 0.004, 0.9, 0.999, 1e-7, true), model.trainables).variables().size());
    }
  }

  @Test
  void badArgumentsAreRefused() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      ModelVariables model = model(tf);
      assertThrows(IllegalArgumentException.class,
          () -> GraphOptimizer.create(tf, "bad name", AdamConfig.defaults(), model.trainables));
      assertThrows(IllegalArgumentException.class,
          () -> GraphOptimizer.create(tf, "adam", AdamConfig.defaults(), List.of()));
      TrainableVariable known = model.trainables.get(0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new TrainableVariable("x", known.handle(), known.gradient(), Shape.of(-1, 2)));
      assertTrue(e.getMessage().contains("fully known"), e.getMessage());
      Operand<? extends TType> doubles = tf.varHandleOp(TFloat64.class, Shape.of(2, 2),
          org.tensorflow.op.core.VarHandleOp.sharedName("test/doubles"));
      e = assertThrows(IllegalArgumentException.class, () -> GraphOptimizer.create(tf, "sgd",
          SgdConfig.defaults(), List.of(new TrainableVariable("d", doubles, known.gradient(),
              known.shape()))));
      assertTrue(e.getMessage().contains("only float32"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> new SgdConfig(0.1, 1.5, false, 0));
      assertThrows(IllegalArgumentException.class,
          () -> new AdamConfig(Double.NaN, 0.9, 0.999, 1e-7, false, 0));
    }
  }
}
