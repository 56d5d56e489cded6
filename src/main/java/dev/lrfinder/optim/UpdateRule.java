package dev.lrfinder.optim;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/** One optimizer's per-variable update, written op for op as tf_keras computes it. */
interface UpdateRule {

  /** Creates the slots of {@code v} and adds its update to {@code seq}; returns the last op. */
  Op update(Sequence seq, int index, TrainableVariable v);

  static UpdateRule of(OptimizerConfig config, Step step) {
    if (config instanceof SgdConfig c) {
      return new SgdRule(c, step);
    } else if (config instanceof RmsPropConfig c) {
      return new RmsPropRule(c, step);
    } else if (config instanceof AdagradConfig c) {
      return new AdagradRule(c, step);
    } else if (config instanceof AdamConfig c) {
      return new AdamRule(c.beta2(), c.epsilon(), c.amsgrad(), step);
    } else if (config instanceof AdamWConfig c) {
      return new AdamRule(c.beta2(), c.epsilon(), c.amsgrad(), step);
    }
    throw new IllegalArgumentException("unsupported optimizer config " + config);
  }

  static Operand<TFloat32> read(Ops tf, Operand<? extends TType> handle) {
    return tf.readVariableOp(handle, TFloat32.class);
  }
}
