package dev.lrfinder.optim;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Creates one optimizer's variables, each with a {@code shared_name} unique to the instance (two
 * handles that share a name would alias one variable), and collects their initializers.
 */
final class Slots {
  private final Ops tf;
  private final String sharedPrefix;
  private final List<OptimizerVariable> variables = new ArrayList<>();
  private final List<Op> initializers = new ArrayList<>();

  Slots(Ops tf, String sharedPrefix) {
    this.tf = tf;
    this.sharedPrefix = sharedPrefix;
  }

  /** A float32 slot for variable {@code index}, initialized to {@code initial} everywhere. */
  Operand<? extends TType> floatSlot(String slot, int index, TrainableVariable of, double initial) {
    Operand<TFloat32> value = tf.fill(tf.constant(of.shape().asArray()), tf.constant((float) initial));
    return create(slot + "_" + index, "/" + slot + "/" + index + "/" + of.name(), TFloat32.class,
        of.shape(), value);
  }

  /** A variable of {@code type} and {@code shape} initialized to {@code initial}. */
  <T extends TType> Operand<? extends TType> create(String opName, String sharedSuffix,
      Class<T> type, Shape shape, Operand<T> initial) {
    String sharedName = sharedPrefix + sharedSuffix;
    VarHandleOp handle = tf.withName(opName).varHandleOp(type, shape,
        VarHandleOp.sharedName(sharedName), VarHandleOp.debugName(opName));
    initializers.add(tf.withName(opName + "_init").assignVariableOp(handle, initial));
    variables.add(new OptimizerVariable(handle.op().name(), sharedName, handle, type, shape));
    return handle;
  }

  List<OptimizerVariable> variables() {
    return List.copyOf(variables);
  }

  List<Op> initializers() {
    return List.copyOf(initializers);
  }
}
