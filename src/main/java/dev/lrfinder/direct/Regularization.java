package dev.lrfinder.direct;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The loss terms of Keras weight regularizers, added to the training loss as tf_keras's
 * {@code compiled_loss} adds {@code model.losses}: {@code L1: l1 * sum(|w|)},
 * {@code L2: l2 * sum(w^2)}, {@code L1L2: l1 * sum(|w|) + l2 * sum(w^2)}, each factor a float32,
 * computed with the same ops as tf_keras 2.18's regularizers, on the weights' values at the start
 * of the step.
 */
final class Regularization {
  private Regularization() {}

  /**
   * The sum of every term, or {@code null} when there is none.
   *
   * @param weights the shared read of each model variable, by name (e.g. {@code dense/kernel})
   * @throws UnsupportedModelException for a regularizer class or weight it cannot build
   */
  static Operand<TFloat32> build(Ops tf, List<KerasMetadata.WeightRegularizer> regularizers,
      Map<String, Operand<TFloat32>> weights) {
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (KerasMetadata.WeightRegularizer r : regularizers) {
      Operand<TFloat32> w = weight(weights, r.layer() + "/" + r.weight());
      if (w == null) {
        w = weight(weights, r.layer() + "/" + r.weight() + "_kernel"); // depthwise_, pointwise_
      }
      if (w == null) {
        throw new UnsupportedModelException("it regularizes weight '" + r.weight() + "' of layer '"
            + r.layer() + "', which is not among its variables");
      }
      terms.add(term(tf, r, w));
    }
    if (terms.isEmpty()) {
      return null;
    }
    return terms.size() == 1 ? terms.get(0) : tf.math.addN(terms);
  }

  /**
   * The variable named {@code name}, or else the one variable whose name ends in
   * {@code /name}: older tf.keras Sequential models scope their variables by the model
   * ({@code sequential/dense/kernel}).
   */
  private static Operand<TFloat32> weight(Map<String, Operand<TFloat32>> weights, String name) {
    Operand<TFloat32> exact = weights.get(name);
    if (exact != null) {
      return exact;
    }
    List<String> scoped = weights.keySet().stream().filter(k -> k.endsWith("/" + name)).toList();
    return scoped.size() == 1 ? weights.get(scoped.get(0)) : null;
  }

  private static Operand<TFloat32> term(Ops tf, KerasMetadata.WeightRegularizer r,
      Operand<TFloat32> w) {
    String className = r.serialized().path("class_name").asText("");
    JsonNode config = r.serialized().path("config");
    boolean l1 = className.equals("L1") || className.equals("L1L2");
    boolean l2 = className.equals("L2") || className.equals("L1L2");
    if (!l1 && !l2) {
      throw new UnsupportedModelException("layer '" + r.layer() + "' uses the " + className
          + " regularizer; direct training builds L1, L2 and L1L2");
    }
    Operand<TFloat32> sum = null;
    if (l1 && factor(config, "l1") != 0) {
      sum = tf.math.mul(tf.constant(factor(config, "l1")), tf.reduceSum(tf.math.abs(w),
          tf.constant(axes(w))));
    }
    if (l2 && factor(config, "l2") != 0) {
      // tf_keras: 2.0 * l2 * tf.nn.l2_loss(w), with l2_loss(w) = sum(w^2) / 2.
      Operand<TFloat32> squares = tf.math.mul(tf.constant(2f * factor(config, "l2")),
          tf.nn.l2Loss(w));
      sum = sum == null ? squares : tf.math.add(sum, squares);
    }
    return sum == null ? tf.constant(0f) : sum;
  }

  private static int[] axes(Operand<TFloat32> w) {
    int[] axes = new int[w.shape().numDimensions()];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return axes;
  }

  /** A factor as Keras holds it ({@code cast_to_floatx}): a float32, 0 when absent. */
  private static float factor(JsonNode config, String key) {
    return (float) config.path(key).asDouble(0.0);
  }
}
