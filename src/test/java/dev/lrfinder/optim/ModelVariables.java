package dev.lrfinder.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/** Test model: float32 variables with fixed initial values and fed gradients, in one graph. */
final class ModelVariables {
  final List<TrainableVariable> trainables = new ArrayList<>();
  final List<Placeholder<TFloat32>> gradients = new ArrayList<>();
  private final List<Operand<TFloat32>> reads = new ArrayList<>();
  private final List<Op> initializers = new ArrayList<>();

  /** Adds a variable {@code name} of {@code shape} starting at {@code initial} (row-major). */
  void add(Ops tf, String name, long[] shape, float[] initial) {
    Shape s = Shape.of(shape);
    VarHandleOp handle = tf.withName(name).varHandleOp(TFloat32.class, s,
        VarHandleOp.sharedName("test/" + name + "/" + UUID.randomUUID()));
    initializers.add(tf.assignVariableOp(handle, tf.constant(s, DataBuffers.of(initial))));
    Placeholder<TFloat32> gradient = tf.withName(name + "_grad")
        .placeholder(TFloat32.class, Placeholder.shape(s));
    gradients.add(gradient);
    reads.add(tf.readVariableOp(handle, TFloat32.class));
    trainables.add(new TrainableVariable(name, handle, gradient, s));
  }

  void initialize(Session session) {
    Session.Runner runner = session.runner();
    initializers.forEach(runner::addTarget);
    runner.run().close();
  }

  /** Runs {@code op} with one gradient array per variable fed. */
  void run(Session session, Op op, List<float[]> grads) {
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner().addTarget(op);
      for (int i = 0; i < grads.size(); i++) {
        TFloat32 t = TFloat32.tensorOf(trainables.get(i).shape(), DataBuffers.of(grads.get(i)));
        tensors.add(t);
        runner.feed(gradients.get(i), t);
      }
      runner.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  List<float[]> values(Session session) {
    return read(session, reads);
  }

  /** Reads float32 variables through their handles. */
  static List<float[]> readHandles(Session session, Ops tf, List<Operand<? extends TType>> handles) {
    List<Operand<TFloat32>> reads = new ArrayList<>();
    handles.forEach(h -> reads.add(tf.readVariableOp(h, TFloat32.class)));
    return read(session, reads);
  }

  private static List<float[]> read(Session session, List<Operand<TFloat32>> reads) {
    Session.Runner runner = session.runner();
    reads.forEach(runner::fetch);
    List<float[]> values = new ArrayList<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < reads.size(); i++) {
        TFloat32 t = (TFloat32) result.get(i);
        FloatDataBuffer buffer = DataBuffers.ofFloats(t.shape().size());
        t.copyTo(buffer);
        float[] out = new float[(int) t.shape().size()];
        buffer.read(out);
        values.add(out);
      }
    }
    return values;
  }
}
