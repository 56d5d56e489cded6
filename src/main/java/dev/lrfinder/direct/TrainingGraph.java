package dev.lrfinder.direct;

import dev.lrfinder.model.LoadFailure;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.SavedModelDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A Keras 2 SavedModel's graph with its call function inlined twice: traced with
 * {@code training=True} (Dropout active, BatchNorm on batch statistics and updating its moving
 * averages) and with {@code training=False} (inference, as {@code serving_default}). Both read
 * the model's variables through one shared {@code ReadVariableOp} each, the tensors to
 * differentiate with respect to. Variables hold the SavedModel's checkpoint once
 * {@link #restore} ran.
 */
final class TrainingGraph {
  static final String TRAINING_CALL = "call_and_return_all_conditional_losses";

  private final Graph graph;
  private final SavedModelFile file;
  private final Output<?> input;
  private final Output<TFloat32> trainingOutput;
  private final Output<TFloat32> inferenceOutput;
  private final List<ModelVariable> variables;
  private final List<GraphOperation> updates;
  private final RandomStep randomStep;

  /**
   * The step counter that keys the rewritten random ops (an int64 variable, so snapshots cover it
   * and a restore gives every optimizer the same steps), its initializer and its increment; null
   * parts when the training call has no random op.
   */
  record RandomStep(List<String> ops, GraphOperation initialize, GraphOperation increment) {}

  /** A variable the call functions use: its handle, its shared read, and whether Keras trains it. */
  record ModelVariable(String name, boolean trainable, Operand<? extends TType> handle,
      Output<?> read, DataType dtype, Shape shape) {}

  private TrainingGraph(Graph graph, SavedModelFile file, Output<?> input,
      Output<TFloat32> trainingOutput, Output<TFloat32> inferenceOutput,
      List<ModelVariable> variables, List<GraphOperation> updates, RandomStep randomStep) {
    this.graph = graph;
    this.file = file;
    this.input = input;
    this.trainingOutput = trainingOutput;
    this.inferenceOutput = inferenceOutput;
    this.variables = variables;
    this.updates = updates;
    this.randomStep = randomStep;
  }

  /** Builds the graph into {@code graph}, which must be empty, with random seed 0. */
  static TrainingGraph build(SavedModelFile file, OpRegistry registry, Graph graph) {
    return build(file, registry, graph, 0);
  }

  /**
   * Builds the graph into {@code graph}, which must be empty; {@code seed} keys the random ops
   * of the training call, with the step and the op.
   */
  @SuppressWarnings("unchecked")
  static TrainingGraph build(SavedModelFile file, OpRegistry registry, Graph graph, long seed) {
    String training = file.rootCallFunction(TRAINING_CALL, true).orElseThrow(() ->
        new UnsupportedModelException("it has no Keras call function traced with training=True"
            + " (only models saved by tf.keras / Keras 2 have one)"));
    String inference = file.rootCallFunction(TRAINING_CALL, false).orElseThrow(() ->
        new UnsupportedModelException("it has no Keras call function traced with training=False"));
    if (file.inputArgCount(training) != 1) {
      throw new UnsupportedModelException("it has " + file.inputArgCount(training)
          + " inputs; direct training supports models with one input");
    }
    Map<String, SavedModelFile.Variable> used = new LinkedHashMap<>();
    List<SavedModelFile.Capture> trainingCaptures = file.captures(training);
    List<SavedModelFile.Capture> inferenceCaptures = file.captures(inference);
    for (SavedModelFile.Capture c : concat(trainingCaptures, inferenceCaptures)) {
      if (c.variable() != null) {
        used.putIfAbsent(c.variable().handleOp(), c.variable());
      }
    }

    GraphDef.Builder def = file.metaGraph().getGraphDef().toBuilder();
    Map<String, String> readOps = new LinkedHashMap<>(); // handle op -> its shared read op
    Map<String, String> sharedReads = new LinkedHashMap<>(); // the same, as tensors
    for (SavedModelFile.Variable v : used.values()) {
      NodeDef handle = file.graphNode(v.handleOp());
      String read = "lrfinder/read_" + readOps.size();
      def.addNode(NodeDef.newBuilder().setName(read).setOp("ReadVariableOp")
          .addInput(v.handleOp()).putAttr("dtype", handle.getAttrOrThrow("dtype")));
      readOps.put(v.handleOp(), read);
      sharedReads.put(v.handleOp() + ":0", read + ":0");
    }
    var arg = file.library().get(training).getSignature().getInputArg(0);
    def.addNode(NodeDef.newBuilder().setName("lrfinder/x").setOp("Placeholder")
        .putAttr("dtype", AttrValue.newBuilder().setType(arg.getType()).build())
        .putAttr("shape", AttrValue.newBuilder().setShape(inputShape(file, training)).build()));

    FunctionInliner inliner = new FunctionInliner(file.library(), registry, sharedReads);
    FunctionInliner.Inlined train = inliner.inline(training,
        arguments(trainingCaptures), "lrfinder/train");
    FunctionInliner.Inlined infer = inliner.inline(inference,
        arguments(inferenceCaptures), "lrfinder/infer");
    if (train.outputs().size() != 1 || infer.outputs().size() != 1) {
      throw new UnsupportedModelException("its call returns " + train.outputs().size()
          + " tensors (several outputs, or losses added in call()); direct training supports one"
          + " output and no added losses");
    }
    def.addAllNode(inliner.nodes());
    if (!inliner.randomOps().isEmpty()) {
      addRandomSeed(def, seed);
    }
    try {
      graph.importGraphDef(def.build());
    } catch (IllegalArgumentException e) {
      throw LoadFailure.of("build the training graph of", file.directory(), e);
    }

    List<ModelVariable> variables = new ArrayList<>();
    for (SavedModelFile.Variable v : used.values()) {
      GraphOperation handle = graph.operation(v.handleOp());
      AttrValue shape = file.graphNode(v.handleOp()).getAttrOrThrow("shape");
      variables.add(new ModelVariable(v.name(), v.trainable(),
          (Operand<? extends TType>) handle.output(0),
          graph.operation(readOps.get(v.handleOp())).output(0),
          handle.attributes().getAttrType("dtype"), toShape(shape.getShape())));
    }
    List<GraphOperation> updates = train.controlOutputs().stream()
        .map(graph::operation).toList();
    RandomStep randomStep = new RandomStep(inliner.randomOps(),
        graph.operation(RANDOM_STEP + "/initialize"), graph.operation(RANDOM_STEP + "/increment"));
    return new TrainingGraph(graph, file, graph.operation("lrfinder/x").output(0),
        floatOutput(graph, train.outputs().get(0)), floatOutput(graph, infer.outputs().get(0)),
        variables, updates, randomStep);
  }

  private static final String RANDOM_STEP = "lrfinder/random/step";

  /**
   * Adds {@link FunctionInliner#RANDOM_SEED}, (mixed seed, step), the step read from an int64
   * variable at the start of a step, and the step's initializer (0) and increment (run with
   * each training step, after the read).
   */
  private static void addRandomSeed(GraphDef.Builder def, long seed) {
    AttrValue int64 = AttrValue.newBuilder().setType(DataType.DT_INT64).build();
    TensorShapeProto scalar = TensorShapeProto.getDefaultInstance();
    def.addNode(NodeDef.newBuilder().setName(RANDOM_STEP).setOp("VarHandleOp")
        .putAttr("dtype", int64)
        .putAttr("shape", AttrValue.newBuilder().setShape(scalar).build())
        .putAttr("shared_name", AttrValue.newBuilder()
            .setS(com.google.protobuf.ByteString.copyFromUtf8("lrfinder_random_step")).build()));
    def.addNode(int64Const(RANDOM_STEP + "/zero", 0));
    def.addNode(int64Const(RANDOM_STEP + "/one", 1));
    // Mixed, so that nearby seeds (0, 1, 2...) give unrelated streams.
    def.addNode(int64Const("lrfinder/random/run_seed",
        new java.util.SplittableRandom(seed).nextLong()));
    def.addNode(NodeDef.newBuilder().setName(RANDOM_STEP + "/read").setOp("ReadVariableOp")
        .addInput(RANDOM_STEP).putAttr("dtype", int64));
    String seedNode = FunctionInliner.RANDOM_SEED.substring(0,
        FunctionInliner.RANDOM_SEED.lastIndexOf(':'));
    def.addNode(NodeDef.newBuilder().setName(seedNode).setOp("Pack")
        .addInput("lrfinder/random/run_seed:0").addInput(RANDOM_STEP + "/read:0")
        .putAttr("T", int64).putAttr("N", AttrValue.newBuilder().setI(2).build())
        .putAttr("axis", AttrValue.newBuilder().setI(0).build()));
    def.addNode(NodeDef.newBuilder().setName(RANDOM_STEP + "/initialize")
        .setOp("AssignVariableOp").addInput(RANDOM_STEP).addInput(RANDOM_STEP + "/zero:0")
        .putAttr("dtype", int64));
    def.addNode(NodeDef.newBuilder().setName(RANDOM_STEP + "/increment")
        .setOp("AssignAddVariableOp").addInput(RANDOM_STEP).addInput(RANDOM_STEP + "/one:0")
        .addInput("^" + seedNode).putAttr("dtype", int64));
  }

  private static NodeDef int64Const(String name, long value) {
    return NodeDef.newBuilder().setName(name).setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_INT64).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(org.tensorflow.proto.TensorProto
            .newBuilder().setDtype(DataType.DT_INT64)
            .setTensorShape(TensorShapeProto.getDefaultInstance()).addInt64Val(value)).build())
        .build();
  }

  private static List<String> arguments(List<SavedModelFile.Capture> captures) {
    List<String> args = new ArrayList<>();
    args.add("lrfinder/x:0");
    captures.forEach(c -> args.add(c.tensor()));
    return args;
  }

  private static List<SavedModelFile.Capture> concat(List<SavedModelFile.Capture> a,
      List<SavedModelFile.Capture> b) {
    List<SavedModelFile.Capture> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** The input's shape from the function's input signature (batch dimension unknown). */
  private static TensorShapeProto inputShape(SavedModelFile file, String function) {
    var signature = file.objects().getConcreteFunctionsOrThrow(function)
        .getCanonicalizedInputSignature();
    var first = signature.getTupleValue().getValues(0).getTupleValue().getValues(0);
    if (first.hasTensorSpecValue()) {
      return first.getTensorSpecValue().getShape();
    }
    throw new UnsupportedModelException("its input is a " + first.getKindCase()
        + ", not one tensor; direct training supports models with one input tensor");
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> floatOutput(Graph graph, String tensor) {
    int colon = tensor.lastIndexOf(':');
    Output<?> out = graph.operation(tensor.substring(0, colon))
        .output(Integer.parseInt(tensor.substring(colon + 1)));
    if (out.dataType() != DataType.DT_FLOAT) {
      throw new UnsupportedModelException("its output is " + out.dataType()
          + "; direct training supports float32 outputs");
    }
    return (Output<TFloat32>) out;
  }

  static Shape toShape(TensorShapeProto proto) {
    if (proto.getUnknownRank()) {
      return Shape.unknown();
    }
    long[] dims = proto.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
    return Shape.of(dims);
  }

  /**
   * Loads the SavedModel's checkpoint into the variables with its own saver, then runs its init
   * op. The checkpoint's files were checked by {@link SavedModelDirectory#require}; what
   * TensorFlow still finds wrong (a tensor's bytes that fail their checksum...) is told in words.
   */
  void restore(Session session) {
    SaverDef saver = file.metaGraph().getSaverDef();
    Path graphFile = file.directory().resolve("saved_model.pb");
    if (saver.getRestoreOpName().isEmpty() || saver.getFilenameTensorName().isEmpty()
        || graph.operation(saver.getRestoreOpName().split(":")[0]) == null
        || graph.operation(saver.getFilenameTensorName().split(":")[0]) == null) {
      throw new ModelException("'" + graphFile + "' is corrupt: its saver, which restores the"
          + " weights, is missing from its graph");
    }
    Path prefix = file.directory().resolve(SavedModelDirectory.VARIABLES_PREFIX);
    try (TString filename = TString.scalarOf(prefix.toString())) {
      session.runner().feed(saver.getFilenameTensorName(), filename)
          .addTarget(saver.getRestoreOpName()).run().close();
    } catch (TensorFlowException e) {
      throw LoadFailure.of("restore the weights of", file.directory(), e);
    }
    file.signature("__saved_model_init_op").ifPresent(init -> {
      String op = init.getOutputsOrThrow("__saved_model_init_op").getName().split(":")[0];
      try {
        session.runner().addTarget(op).run().close();
      } catch (TensorFlowException e) {
        throw LoadFailure.of("initialize the SavedModel", file.directory(), e);
      }
    });
    if (randomStep.initialize() != null) {
      session.runner().addTarget(randomStep.initialize()).run().close();
    }
  }

  Graph graph() {
    return graph;
  }

  /** The model input placeholder. */
  Output<?> input() {
    return input;
  }

  Output<TFloat32> trainingOutput() {
    return trainingOutput;
  }

  Output<TFloat32> inferenceOutput() {
    return inferenceOutput;
  }

  List<ModelVariable> variables() {
    return variables;
  }

  /**
   * Stateful ops of the training call (e.g. BatchNorm moving averages, the random ops' step
   * counter) to run with each step.
   */
  List<GraphOperation> updates() {
    if (randomStep.increment() == null) {
      return updates;
    }
    List<GraphOperation> all = new ArrayList<>(updates);
    all.add(randomStep.increment());
    return all;
  }

  /** The graph names of the random ops rewritten to stateless ones (empty when none). */
  List<String> randomOps() {
    return randomStep.ops();
  }
}
