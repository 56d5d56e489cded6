package dev.lrfinder.optim;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * tf_keras RMSprop (dense gradients):
 * <pre>
 *   velocity = rho * velocity + (1 - rho) * g^2
 *   centered: average = rho * average + (1 - rho) * g
 *             denominator = velocity - average^2 + epsilon
 *   else:     denominator = velocity + epsilon
 *   increment = lr * g * rsqrt(denominator)
 *   momentum > 0: mom = momentum * mom + increment; var -= mom
 *   else:         var -= increment
 *   legacy (optimizer_v2) without momentum: increment = lr * g / (sqrt(velocity [- average^2])
 *                                                                 + epsilon)
 * </pre>
 * Keras 3 divides by {@code sqrt(denominator)} instead of multiplying by {@code rsqrt}, which
 * differs from tf_keras in the last bits.
 */
final class RmsPropRule implements UpdateRule {
  private final RmsPropConfig config;
  private final Step step;

  RmsPropRule(RmsPropConfig config, Step step) {
    this.config = config;
    this.step = step;
  }

  @Override
  public Op update(Sequence seq, int index, TrainableVariable v) {
    Operand<? extends TType> velocity = step.slots().floatSlot("velocity", index, v, 0.0);
    Operand<TFloat32> g = v.gradient();
    Operand<TFloat32> rho = step.constant(config.rho());
    // Legacy RMSprop subtracts in float32 (1 - rho as a float32 tensor), the current one in
    // Python floats: 1 - 0.9f is 0.100000024, (float) (1 - 0.9) is 0.1.
    Operand<TFloat32> oneMinusRho = step.constant(config.legacy()
        ? (double) (1.0f - (float) config.rho()) : 1 - config.rho());
    Ops tf = seq.tf();
    Operand<TFloat32> newVelocity = tf.math.add(tf.math.mul(rho, UpdateRule.read(tf, velocity)),
        tf.math.mul(oneMinusRho, tf.math.square(g)));
    seq.then(tf.assignVariableOp(velocity, newVelocity));
    Operand<TFloat32> denominator;
    Operand<TFloat32> spread = newVelocity; // what legacy RMSprop takes the square root of
    if (config.centered()) {
      Operand<? extends TType> average = step.slots().floatSlot("average_gradient", index, v, 0.0);
      tf = seq.tf();
      Operand<TFloat32> newAverage = tf.math.add(tf.math.mul(rho, UpdateRule.read(tf, average)),
          tf.math.mul(oneMinusRho, g));
      seq.then(tf.assignVariableOp(average, newAverage));
      spread = tf.math.sub(newVelocity, tf.math.square(newAverage));
      denominator = tf.math.add(spread, step.constant(config.epsilon()));
    } else {
      denominator = tf.math.add(newVelocity, step.constant(config.epsilon()));
    }
    Operand<TFloat32> increment;
    if (config.legacy() && config.momentum() == 0) {
      // optimizer_v2 without momentum: var - lr * g / (sqrt(spread) + epsilon)
      increment = tf.math.div(tf.math.mul(step.lr(), g),
          tf.math.add(tf.math.sqrt(spread), step.constant(config.epsilon())));
    } else {
      increment = tf.math.mul(tf.math.mul(step.lr(), g), tf.math.rsqrt(denominator));
    }
    if (config.momentum() > 0) {
      Operand<? extends TType> momentum = step.slots().floatSlot("momentum", index, v, 0.0);
      tf = seq.tf();
      Operand<TFloat32> newMomentum = tf.math.add(
          tf.math.mul(step.momentum(), UpdateRule.read(tf, momentum)), increment);
      seq.then(tf.assignVariableOp(momentum, newMomentum));
      increment = newMomentum;
    }
    return seq.then(seq.tf().assignSubVariableOp(v.handle(), increment));
  }
}
