package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class ModelOutputTest {
  @Test
  void findsTheActivationThroughIdentities() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      Operand<TFloat32> softmax = tf.nn.softmax(x);
      ModelOutput out = ModelOutput.of(tf.identity(tf.identity(softmax)));
      assertEquals("Softmax", out.activation());
      assertEquals(x.asOutput(), out.activationInput().asOutput());

      List<Output<?>> pair = tf.identityN(List.of(x, tf.math.sigmoid(x))).output();
      ModelOutput second = ModelOutput.of(pair.get(1).expect(TFloat32.class));
      assertEquals("Sigmoid", second.activation());
      assertNull(ModelOutput.of(pair.get(0).expect(TFloat32.class)).activation());

      ModelOutput plain = ModelOutput.of(tf.math.add(softmax, tf.constant(0f)));
      assertNull(plain.activation());
      assertNull(plain.activationInput());
    }
  }

  @Test
  void activationAndItsInputGoTogether() {
    try (Graph graph = new Graph()) {
      Operand<TFloat32> c = Ops.create(graph).constant(1f);
      assertThrows(IllegalArgumentException.class, () -> new ModelOutput(c, "Softmax", null));
      assertThrows(IllegalArgumentException.class, () -> new ModelOutput(c, "Relu", c));
    }
  }
}
