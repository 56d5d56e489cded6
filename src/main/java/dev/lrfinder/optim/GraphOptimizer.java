package dev.lrfinder.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * A Keras (tf_keras 2.18) optimizer built from raw ops in a graph: its slot variables, a float32
 * learning-rate variable that can be reassigned between steps, an int64 iteration counter, one
 * initializer op and one step op that updates every variable and then increments the counter.
 * Every variable it creates has a {@code shared_name} unique to this instance, so several
 * optimizers over the same model variables coexist in one graph, each with its own slots.
 *
 * <p>Per variable, the step first applies the config's weight decay, if any, as tf_keras does
 * ({@code var -= var * wd * lr}, AdamW's decoupled decay), then the optimizer's update rule.
 */
public final class GraphOptimizer {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private final String name;
  private final OptimizerConfig config;
  private final Op initializer;
  private final Op step;
  private final Operand<TFloat32> learningRate;
  private final Placeholder<TFloat32> learningRateFeed;
  private final Op assignLearningRate;
  private final Operand<TInt64> iterations;
  private final List<OptimizerVariable> variables;

  private GraphOptimizer(String name, OptimizerConfig config, Op initializer, Op step,
      Operand<TFloat32> learningRate, Placeholder<TFloat32> learningRateFeed,
      Op assignLearningRate, Operand<TInt64> iterations, List<OptimizerVariable> variables) {
    this.name = name;
    this.config = config;
    this.initializer = initializer;
    this.step = step;
    this.learningRate = learningRate;
    this.learningRateFeed = learningRateFeed;
    this.assignLearningRate = assignLearningRate;
    this.iterations = iterations;
    this.variables = variables;
  }

  /**
   * Adds the optimizer's ops to {@code tf}'s graph under the sub-scope {@code name} (an op-name
   * component, e.g. {@code "adam"}). Nothing runs: call {@link #initialize} before the first step.
   */
  public static GraphOptimizer create(Ops tf, String name, OptimizerConfig config,
      List<TrainableVariable> targets) {
    Objects.requireNonNull(config, "config");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("optimizer name must be a valid op name, got " + name);
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("optimizer '" + name + "' has no variables to train");
    }
    targets.forEach(GraphOptimizer::requireFloat32);
    Ops scope = tf.withSubScope(name);
    Slots slots = new Slots(scope.withSubScope("slots"),
        "lrfinder_optim/" + name + "/" + UUID.randomUUID());
    Operand<? extends TType> lrVar = slots.create("learning_rate", "/learning_rate",
        TFloat32.class, Shape.scalar(), scope.constant((float) config.learningRate()));
    Operand<? extends TType> iterVar = slots.create("iteration", "/iteration",
        TInt64.class, Shape.scalar(), scope.constant(0L));
    Operand<TFloat32> lr = scope.withName("learning_rate").readVariableOp(lrVar, TFloat32.class);
    Operand<TInt64> iterations = scope.withName("iterations").readVariableOp(iterVar, TInt64.class);
    Operand<TFloat32> localStep =
        scope.dtypes.cast(scope.math.add(iterations, scope.constant(1L)), TFloat32.class);

    Ops stepScope = scope.withSubScope("update");
    Step step = new Step(stepScope, slots, lr, localStep);
    UpdateRule rule = UpdateRule.of(config, step);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      TrainableVariable v = targets.get(i);
      Sequence seq = new Sequence(stepScope.withSubScope("var_" + i));
      if (config.weightDecay() > 0) {
        // tf_keras _apply_weight_decay: var.assign_sub(var * wd * lr), before the update.
        Ops t = seq.tf();
        Operand<TFloat32> decay = t.math.mul(
            t.math.mul(UpdateRule.read(t, v.handle()), step.constant(config.weightDecay())), lr);
        seq.then(t.assignSubVariableOp(v.handle(), decay));
      }
      updates.add(rule.update(seq, i, v));
    }
    Op increment = scope.withControlDependencies(updates)
        .assignAddVariableOp(iterVar, scope.constant(1L));
    Op stepOp = scope.withControlDependencies(List.of(increment)).withName("step").noOp();

    Placeholder<TFloat32> feed = scope.withName("learning_rate_feed")
        .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    Op assignLr = scope.withName("assign_learning_rate").assignVariableOp(lrVar, feed);
    Op init = scope.withControlDependencies(slots.initializers()).withName("initialize").noOp();
    return new GraphOptimizer(name, config, init, stepOp, lr, feed, assignLr, iterations,
        slots.variables());
  }

  /** Refuses a handle whose VarHandleOp declares a dtype other than float32. */
  private static void requireFloat32(TrainableVariable v) {
    if (v.handle().op() instanceof GraphOperation op && op.type().equals("VarHandleOp")) {
      DataType dtype = op.attributes().getAttrType("dtype");
      if (dtype != DataType.DT_FLOAT) {
        throw new IllegalArgumentException(
            "variable '" + v.name() + "' is " + dtype + "; only float32 variables are supported");
      }
    }
  }

  public String name() {
    return name;
  }

  public OptimizerConfig config() {
    return config;
  }

  /** Sets every slot to its initial value, the learning rate to the config's and the counter to 0. */
  public Op initializer() {
    return initializer;
  }

  /** One update of every variable, then {@code iterations += 1}. Feed the gradients' inputs. */
  public Op step() {
    return step;
  }

  /** Reads the learning-rate variable (float32 scalar). */
  public Operand<TFloat32> learningRate() {
    return learningRate;
  }

  /** The float32 scalar that {@link #assignLearningRate()} writes to the learning rate. */
  public Placeholder<TFloat32> learningRateFeed() {
    return learningRateFeed;
  }

  public Op assignLearningRate() {
    return assignLearningRate;
  }

  /** Reads the iteration counter (int64 scalar, steps applied since initialization). */
  public Operand<TInt64> iterations() {
    return iterations;
  }

  /** Every variable this optimizer created: slots, learning rate and iteration counter. */
  public List<OptimizerVariable> variables() {
    return variables;
  }

  /** Runs {@link #initializer()}. */
  public void initialize(Session session) {
    session.runner().addTarget(initializer).run().close();
  }

  /** The current learning rate. */
  public float learningRate(Session session) {
    try (Result result = session.runner().fetch(learningRate).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** Assigns the learning rate, rounded to float32 as Keras's variable rounds a Python float. */
  public void setLearningRate(Session session, double value) {
    try (TFloat32 tensor = TFloat32.scalarOf((float) value)) {
      session.runner().feed(learningRateFeed, tensor).addTarget(assignLearningRate).run().close();
    }
  }

  /** The iteration counter. */
  public long iterations(Session session) {
    try (Result result = session.runner().fetch(iterations).run()) {
      return ((TInt64) result.get(0)).getLong();
    }
  }
}
