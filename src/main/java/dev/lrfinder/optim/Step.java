package dev.lrfinder.optim;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What every update rule shares within one optimizer step: the scope, the slot factory, the
 * learning rate read once per step, Keras's {@code local_step = float(iterations + 1)} and, for
 * an optimizer whose momentum can be set ({@link GraphOptimizer#hasMomentum}), the reads of its
 * momentum variables: {@code momentum} ({@code (float) m}) and {@code oneMinusMomentum}
 * ({@code (float) (1 - m)}, rounded once from double as Python computes {@code 1 - beta_1}); both
 * null when it has none.
 */
record Step(Ops tf, Slots slots, Operand<TFloat32> lr, Operand<TFloat32> localStep,
    Operand<TFloat32> momentum, Operand<TFloat32> oneMinusMomentum) {

  /**
   * A float32 constant from a Python float: Keras passes hyperparameters as Python floats, so
   * {@code 1 - beta_1} is computed in double and only then rounded to float32, as here.
   */
  Operand<TFloat32> constant(double value) {
    return tf.constant((float) value);
  }
}
