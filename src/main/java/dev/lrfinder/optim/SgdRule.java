package dev.lrfinder.optim;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * tf_keras SGD (dense gradients):
 * <pre>
 *   momentum == 0:  var += -g * lr                  (ResourceApplyGradientDescent: the same float)
 *   otherwise:      m = -g * lr + m * momentum
 *                   var += m                        (nesterov: var += -g * lr + m * momentum)
 * </pre>
 * tf_keras also creates {@code m} when momentum is 0, where it never affects the variable; this
 * rule (like Keras 3) does not.
 */
final class SgdRule implements UpdateRule {
  private final SgdConfig config;
  private final Step step;

  SgdRule(SgdConfig config, Step step) {
    this.config = config;
    this.step = step;
  }

  @Override
  public Op update(Sequence seq, int index, TrainableVariable v) {
    Ops tf = seq.tf();
    if (config.momentum() == 0) {
      return seq.then(tf.train.resourceApplyGradientDescent(v.handle(), step.lr(), v.gradient()));
    }
    Operand<? extends TType> m = step.slots().floatSlot("m", index, v, 0.0);
    // The momentum variable holds (float) config.momentum() until it is set (one-cycle).
    Operand<TFloat32> momentum = step.momentum();
    Operand<TFloat32> descent = tf.math.mul(tf.math.neg(v.gradient()), step.lr());
    Operand<TFloat32> newM = tf.math.add(descent, tf.math.mul(UpdateRule.read(tf, m), momentum));
    seq.then(tf.assignVariableOp(m, newM));
    Operand<TFloat32> delta = config.nesterov()
        ? tf.math.add(descent, tf.math.mul(newM, momentum))
        : newM;
    return seq.then(seq.tf().assignAddVariableOp(v.handle(), delta));
  }
}
