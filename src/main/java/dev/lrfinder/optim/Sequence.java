package dev.lrfinder.optim;

import java.util.List;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;

/**
 * Orders one variable's update ops as Keras runs them eagerly: every op made through
 * {@link #tf()} runs after the last op passed to {@link #then}, so a read after an assign sees
 * the assigned value.
 */
final class Sequence {
  private final Ops tf;
  private Op last;

  Sequence(Ops tf) {
    this.tf = tf;
  }

  Ops tf() {
    return last == null ? tf : tf.withControlDependencies(List.of(last));
  }

  <T extends Op> T then(T op) {
    last = op;
    return op;
  }
}
