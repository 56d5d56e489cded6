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
 * <p>An optimizer whose update has a momentum (SGD and RMSprop with {@code momentum > 0}, Adam and
 * AdamW's {@code beta_1}) holds it in float32 variables too, initially the config's value, so a
 * schedule can set it between steps (one-cycle); see {@link #hasMomentum}.
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
  private final List<MomentumPart> momentum;

  /**
   * One float32 variable that holds a form of the momentum: its read, which every use in the step
   * shares (so feeding it sets the step's value), and the assign of {@link #feed} to it.
   *
   * @param read the step's read of the variable
   * @param feed the scalar {@link #assign} writes
   * @param assign writes {@link #feed} to the variable
   * @param complement whether the variable holds {@code 1 - m} rather than {@code m}
   */
  public record MomentumPart(Operand<TFloat32> read, Placeholder<TFloat32> feed, Op assign,
      boolean complement) {

    /**
     * The float32 this part holds for momentum {@code m}: {@code (float) m}, or
     * {@code (float) (1 - m)} computed in double and rounded once, as Python computes Keras's
     * {@code 1 - beta_1}.
     */
    public float valueFor(double m) {
      return (float) (complement ? 1 - m : m);
    }
  }

  private GraphOptimizer(String name, OptimizerConfig config, Op initializer, Op step,
      Operand<TFloat32> learningRate, Placeholder<TFloat32> learningRateFeed,
      Op assignLearningRate, Operand<TInt64> iterations, List<OptimizerVariable> variables,
      List<MomentumPart> momentum) {
    this.name = name;
    this.config = config;
    this.initializer = initializer;
    this.step = step;
    this.learningRate = learningRate;
    this.learningRateFeed = learningRateFeed;
    this.assignLearningRate = assignLearningRate;
    this.iterations = iterations;
    this.variables = variables;
    this.momentum = momentum;
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

    List<MomentumPart> momentum = new ArrayList<>();
    java.util.OptionalDouble initialMomentum = initialMomentum(config);
    if (initialMomentum.isPresent()) {
      double m = initialMomentum.getAsDouble();
      momentum.add(momentumPart(scope, slots, "momentum", m, false));
      if (config instanceof AdamConfig || config instanceof AdamWConfig) {
        momentum.add(momentumPart(scope, slots, "one_minus_momentum", m, true));
      }
    }
    Ops stepScope = scope.withSubScope("update");
    Step step = new Step(stepScope, slots, lr, localStep,
        momentum.isEmpty() ? null : momentum.get(0).read(),
        momentum.size() < 2 ? null : momentum.get(1).read());
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
        slots.variables(), List.copyOf(momentum));
  }

  /**
   * The momentum the config's update uses, when it has one: SGD's and RMSprop's
   * {@code momentum} when above 0 (at 0 neither update has a momentum term: SGD is plain
   * descent, Nesterov included), Adam's and AdamW's {@code beta_1}; empty for Adagrad.
   */
  public static java.util.OptionalDouble initialMomentum(OptimizerConfig config) {
    if (config instanceof SgdConfig c && c.momentum() > 0) {
      return java.util.OptionalDouble.of(c.momentum());
    } else if (config instanceof RmsPropConfig c && c.momentum() > 0) {
      return java.util.OptionalDouble.of(c.momentum());
    } else if (config instanceof AdamConfig c) {
      return java.util.OptionalDouble.of(c.beta1());
    } else if (config instanceof AdamWConfig c) {
      return java.util.OptionalDouble.of(c.beta1());
    }
    return java.util.OptionalDouble.empty();
  }

  /** A float32 momentum variable with its shared read, feed and assign. */
  private static MomentumPart momentumPart(Ops scope, Slots slots, String name, double m,
      boolean complement) {
    float initial = (float) (complement ? 1 - m : m);
    Operand<? extends TType> handle = slots.create(name, "/" + name, TFloat32.class,
        Shape.scalar(), scope.constant(initial));
    Operand<TFloat32> read = scope.withName(name + "_read").readVariableOp(handle, TFloat32.class);
    Placeholder<TFloat32> feed = scope.withName(name + "_feed")
        .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    Op assign = scope.withName("assign_" + name).assignVariableOp(handle, feed);
    return new MomentumPart(read, feed, assign, complement);
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

  /**
   * Every variable this optimizer created: slots, learning rate, iteration counter and momentum
   * variables, if any.
   */
  public List<OptimizerVariable> variables() {
    return variables;
  }

  /**
   * Whether the update has a momentum that {@link #setMomentum} sets (see
   * {@link #initialMomentum}).
   */
  public boolean hasMomentum() {
    return !momentum.isEmpty();
  }

  /**
   * The momentum variables (empty without {@link #hasMomentum}): {@code m}, and for Adam and
   * AdamW also {@code 1 - m}. A step at a given momentum feeds each part's {@code read} and
   * {@code feed} with {@link MomentumPart#valueFor} and runs its {@code assign}.
   */
  public List<MomentumPart> momentumParts() {
    return momentum;
  }

  /** The current momentum ({@code beta_1} for Adam) as its variable holds it. */
  public float momentum(Session session) {
    requireMomentum();
    try (Result result = session.runner().fetch(momentum.get(0).read()).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** Assigns the momentum variables from {@code value} (see {@link MomentumPart#valueFor}). */
  public void setMomentum(Session session, double value) {
    requireMomentum();
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (MomentumPart part : momentum) {
        TFloat32 tensor = TFloat32.scalarOf(part.valueFor(value));
        tensors.add(tensor);
        runner.feed(part.feed(), tensor).addTarget(part.assign());
      }
      runner.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  private void requireMomentum() {
    if (momentum.isEmpty()) {
      throw new UnsupportedOperationException("optimizer '" + name + "' ("
          + config.kerasClassName() + ") has no momentum in its update");
    }
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
