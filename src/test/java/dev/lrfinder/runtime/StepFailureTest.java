package dev.lrfinder.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.data.DataException;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.math.Sub;
import org.tensorflow.types.TFloat32;

class StepFailureTest {

  /** A real TensorFlow runtime error: 10 features fed to a layer that fixed 8, as in a step. */
  @Test
  void tellsTensorFlowsShapeErrorInOneSentenceWithTheLayer() {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, -1)));
      Ops scope = tf.withSubScope("lrfinder").withSubScope("train")
          .withSubScope("normalization");
      Sub<TFloat32> sub = scope.withName("sub").math.sub(x, tf.zeros(tf.constant(new long[] {1, 8}),
          TFloat32.class));
      RuntimeException tensorflow;
      try (TFloat32 batch = TFloat32.tensorOf(Shape.of(64, 10))) {
        tensorflow = assertThrows(RuntimeException.class,
            () -> session.runner().feed(x, batch).fetch(sub).run().close());
      }
      assertTrue(StepFailure.isTensorFlow(tensorflow), tensorflow.getClass().getName());
      DataException told = StepFailure.of("training", tensorflow);
      String message = told.getMessage();
      assertTrue(message.startsWith("the data does not fit the model: training failed with '"),
          message);
      assertTrue(message.contains("[64,10] vs. [1,8]"), message);
      assertTrue(message.contains("in layer 'normalization'"), message);
      assertFalse(message.contains("{{node") || message.contains("[[") || message.contains("\n"),
          message);
    }
  }

  @Test
  void namesTheLayerOfTheFirstNodeOnEitherPath() {
    assertEquals("dense_1", StepFailure.layer("x\n\t [[{{node lrfinder/eval/dense_1/MatMul}}]]"));
    assertEquals("normalization", StepFailure.layer("{{function_node __inference_train_9}}"
        + " x [[{{node sequential/normalization/sub}}]]"));
    assertEquals("", StepFailure.layer("no node at all"));
    assertEquals("", StepFailure.layer("[[{{node Sub}}]]"));
  }

  @Test
  void leavesOtherErrorsAlone() {
    assertFalse(StepFailure.isTensorFlow(new IllegalArgumentException("a Java check")));
  }
}
