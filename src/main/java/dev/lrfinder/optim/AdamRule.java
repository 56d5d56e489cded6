package dev.lrfinder.optim;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * tf_keras Adam and AdamW (dense gradients; AdamW's decay is applied before, by
 * {@link GraphOptimizer}), with {@code t = iterations + 1}:
 * <pre>
 *   alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
 *   m += (g - m) * (1 - beta_1)
 *   v += (g^2 - v) * (1 - beta_2)
 *   amsgrad: vhat = max(vhat, v); v = vhat
 *   var -= (m * alpha) / (sqrt(v) + epsilon)
 * </pre>
 * {@code 1 - beta} is computed in double and rounded once, as Python does; {@code beta^t} is a
 * float32 Pow.
 *
 * <p>{@code beta_1} and {@code 1 - beta_1} are the optimizer's momentum variables (initially the
 * config's), so a schedule can cycle {@code beta_1}. The bias correction then uses the current
 * {@code beta_1}: {@code 1 - beta_1^t} with this step's {@code beta_1}, as Keras 3's
 * {@code Adam.update_step} ({@code ops.power(beta_1, local_step)} of the attribute's value at that
 * step) and fast.ai's {@code debias(mom, 1 - mom, step)} both do, not the product of the past
 * steps' {@code beta_1}.
 */
final class AdamRule implements UpdateRule {
  private final Step step;
  private final double beta2;
  private final double epsilon;
  private final boolean amsgrad;
  private final Operand<TFloat32> alpha;

  AdamRule(double beta2, double epsilon, boolean amsgrad, Step step) {
    this.step = step;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.amsgrad = amsgrad;
    Ops tf = step.tf();
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> beta1Power = tf.math.pow(step.momentum(), step.localStep());
    Operand<TFloat32> beta2Power = tf.math.pow(step.constant(beta2), step.localStep());
    this.alpha = tf.math.div(tf.math.mul(step.lr(), tf.math.sqrt(tf.math.sub(one, beta2Power))),
        tf.math.sub(one, beta1Power));
  }

  @Override
  public Op update(Sequence seq, int index, TrainableVariable v) {
    Operand<? extends TType> m = step.slots().floatSlot("m", index, v, 0.0);
    Operand<? extends TType> vel = step.slots().floatSlot("v", index, v, 0.0);
    Operand<TFloat32> g = v.gradient();
    Ops tf = seq.tf();
    seq.then(tf.assignAddVariableOp(m,
        tf.math.mul(tf.math.sub(g, UpdateRule.read(tf, m)), step.oneMinusMomentum())));
    tf = seq.tf();
    seq.then(tf.assignAddVariableOp(vel, tf.math.mul(
        tf.math.sub(tf.math.square(g), UpdateRule.read(tf, vel)), step.constant(1 - beta2))));
    tf = seq.tf();
    Operand<TFloat32> mNow = UpdateRule.read(tf, m);
    Operand<TFloat32> vNow = UpdateRule.read(tf, vel);
    if (amsgrad) {
      Operand<? extends TType> vHat = step.slots().floatSlot("vhat", index, v, 0.0);
      Operand<TFloat32> newVHat = tf.math.maximum(UpdateRule.read(tf, vHat), vNow);
      seq.then(tf.assignVariableOp(vHat, newVHat));
      vNow = newVHat;
    }
    tf = seq.tf();
    return seq.then(tf.assignSubVariableOp(v.handle(), tf.math.div(tf.math.mul(mNow, alpha),
        tf.math.add(tf.math.sqrt(vNow), step.constant(epsilon)))));
  }
}
