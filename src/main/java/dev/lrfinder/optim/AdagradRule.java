package dev.lrfinder.optim;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * tf_keras Adagrad (dense gradients), the accumulator starting at
 * {@code initial_accumulator_value}:
 * <pre>
 *   accumulator += g * g
 *   var -= lr * g / sqrt(accumulator + epsilon)
 *   legacy (optimizer_v2): var -= lr * g / (sqrt(accumulator) + epsilon)
 * </pre>
 */
final class AdagradRule implements UpdateRule {
  private final AdagradConfig config;
  private final Step step;

  AdagradRule(AdagradConfig config, Step step) {
    this.config = config;
    this.step = step;
  }

  @Override
  public Op update(Sequence seq, int index, TrainableVariable v) {
    Operand<? extends TType> accumulator = step.slots().floatSlot(
        "accumulator", index, v, config.initialAccumulatorValue());
    Operand<TFloat32> g = v.gradient();
    Ops tf = seq.tf();
    seq.then(tf.assignAddVariableOp(accumulator, tf.math.mul(g, g)));
    tf = seq.tf();
    Operand<TFloat32> denominator = config.legacy()
        ? tf.math.add(tf.math.sqrt(UpdateRule.read(tf, accumulator)),
            step.constant(config.epsilon()))
        : tf.math.sqrt(
            tf.math.add(UpdateRule.read(tf, accumulator), step.constant(config.epsilon())));
    return seq.then(tf.assignSubVariableOp(v.handle(),
        tf.math.div(tf.math.mul(step.lr(), g), denominator)));
  }
}
