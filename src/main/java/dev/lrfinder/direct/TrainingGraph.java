package dev.lrfinder.direct;

import dev.lrfinder.model.ModelException;
import dev.lrfinder.runtime.LoadFailure;
import dev.lrfinder.runtime.VariableStore;
import dev.lrfinder.runtime.SavedModelDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  private final List<ModelInput> inputs;
  private final List<Output<TFloat32>> trainingOutputs;
  private final List<Output<TFloat32>> inferenceOutputs;
  private final List<String> outputKeys;
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

  /** One model input: its Keras name (from the call's input signature) and its placeholder. */
  record ModelInput(String key, Output<?> placeholder) {}

  /** A model input as the call's input signature declares it. */
  private record InputArg(String key, TensorShapeProto shape) {}

  private TrainingGraph(Graph graph, SavedModelFile file, List<ModelInput> inputs,
      List<Output<TFloat32>> trainingOutputs, List<Output<TFloat32>> inferenceOutputs,
      List<String> outputKeys, List<ModelVariable> variables, List<GraphOperation> updates,
      RandomStep randomStep) {
    this.outputKeys = List.copyOf(outputKeys);
    this.graph = graph;
    this.file = file;
    this.inputs = List.copyOf(inputs);
    this.trainingOutputs = List.copyOf(trainingOutputs);
    this.inferenceOutputs = List.copyOf(inferenceOutputs);
    this.variables = variables;
    this.updates = updates;
    this.randomStep = randomStep;
  }

  /** Builds the graph into {@code graph}, which must be empty, with random seed 0. */
  static TrainingGraph build(SavedModelFile file, OpRegistry registry, Graph graph) {
    return build(file, registry, graph, 0, List.of());
  }

  /** Builds the graph into {@code graph}, which must be empty, with random seed {@code seed}. */
  static TrainingGraph build(SavedModelFile file, OpRegistry registry, Graph graph, long seed) {
    return build(file, registry, graph, seed, List.of());
  }

  /**
   * Builds the graph into {@code graph}, which must be empty; {@code seed} keys the random ops
   * of the training call, with the step and the op. {@code inputNames} are the Keras config's
   * input layer names in order (empty when unknown): a call that takes a list of tensors keys
   * its inputs by them, as traced specs often carry only {@code inputs/0, inputs/1...}.
   */
  @SuppressWarnings("unchecked")
  static TrainingGraph build(SavedModelFile file, OpRegistry registry, Graph graph, long seed,
      List<String> inputNames) {
    String training = file.rootCallFunction(TRAINING_CALL, true).orElseThrow(() ->
        new UnsupportedModelException("it has no Keras call function traced with training=True"
            + " (only models saved by tf.keras / Keras 2 have one)"));
    String inference = file.rootCallFunction(TRAINING_CALL, false).orElseThrow(() ->
        new UnsupportedModelException("it has no Keras call function traced with training=False"));
    List<InputArg> inputArgs = inputArgs(file, training, inputNames);
    if (file.inputArgCount(training) != inputArgs.size()) {
      throw new UnsupportedModelException("its call takes " + file.inputArgCount(training)
          + " tensors for " + inputArgs.size() + " declared inputs");
    }
    int addedLosses = addedLossCount(file, training);
    if (addedLosses > 0) {
      throw new UnsupportedModelException("it adds " + addedLosses + " loss(es) in call()"
          + " (model.add_loss or activity regularization), which direct training does not build");
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
    List<String> placeholders = new ArrayList<>();
    for (int i = 0; i < inputArgs.size(); i++) {
      var arg = file.library().get(training).getSignature().getInputArg(i);
      // One input keeps the name it always had; several are numbered in signature order.
      String name = inputArgs.size() == 1 ? "lrfinder/x" : "lrfinder/x_" + i;
      def.addNode(NodeDef.newBuilder().setName(name).setOp("Placeholder")
          .putAttr("dtype", AttrValue.newBuilder().setType(arg.getType()).build())
          .putAttr("shape", AttrValue.newBuilder().setShape(inputArgs.get(i).shape()).build()));
      placeholders.add(name);
    }

    Map<String, NodeDef> graphNodes = new java.util.HashMap<>();
    def.getNodeList().forEach(n -> graphNodes.put(n.getName(), n));
    FunctionInliner inliner = new FunctionInliner(file.library(), registry, sharedReads,
        graphNodes);
    FunctionInliner.Inlined train = inliner.inline(training,
        arguments(placeholders, trainingCaptures), "lrfinder/train");
    FunctionInliner.Inlined infer = inliner.inline(inference,
        arguments(placeholders, inferenceCaptures), "lrfinder/infer");
    if (train.outputs().size() != infer.outputs().size() || train.outputs().isEmpty()) {
      throw new UnsupportedModelException("its training call returns " + train.outputs().size()
          + " tensors and its inference call " + infer.outputs().size());
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
    List<ModelInput> inputs = new ArrayList<>();
    for (int i = 0; i < inputArgs.size(); i++) {
      inputs.add(new ModelInput(inputArgs.get(i).key(),
          graph.operation(placeholders.get(i)).output(0)));
    }
    return new TrainingGraph(graph, file, inputs,
        train.outputs().stream().map(t -> floatOutput(graph, t)).toList(),
        infer.outputs().stream().map(t -> floatOutput(graph, t)).toList(),
        dictOutputKeys(file, training), variables, updates, randomStep);
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
    String seedNode = GraphTensors.node(FunctionInliner.RANDOM_SEED);
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

  private static List<String> arguments(List<String> placeholders,
      List<SavedModelFile.Capture> captures) {
    List<String> args = new ArrayList<>();
    placeholders.forEach(p -> args.add(p + ":0"));
    captures.forEach(c -> args.add(c.tensor()));
    return args;
  }

  private static List<SavedModelFile.Capture> concat(List<SavedModelFile.Capture> a,
      List<SavedModelFile.Capture> b) {
    List<SavedModelFile.Capture> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * The model's inputs from the call function's input signature: one tensor, a list (or tuple)
   * of tensors in order, or a dict of tensors, which the function takes flattened in sorted key
   * order (as {@code tf.nest} flattens). Keys are the Keras input names.
   */
  private static List<InputArg> inputArgs(SavedModelFile file, String function,
      List<String> inputNames) {
    var signature = file.objects().getConcreteFunctionsOrThrow(function)
        .getCanonicalizedInputSignature();
    var first = signature.getTupleValue().getValues(0).getTupleValue().getValues(0);
    List<InputArg> args = new ArrayList<>();
    if (first.hasTensorSpecValue()) {
      args.add(inputArg(first.getTensorSpecValue().getName(),
          first.getTensorSpecValue().getShape(), "x"));
    } else if (first.hasListValue() || first.hasTupleValue()) {
      var values = first.hasListValue() ? first.getListValue().getValuesList()
          : first.getTupleValue().getValuesList();
      boolean named = inputNames.size() == values.size()
          && inputNames.stream().distinct().count() == values.size();
      for (var value : values) {
        if (!value.hasTensorSpecValue()) {
          throw nested(value.getKindCase().toString());
        }
        String fallback = "input_" + args.size();
        args.add(inputArg(named ? inputNames.get(args.size())
            : value.getTensorSpecValue().getName(), value.getTensorSpecValue().getShape(),
            fallback));
      }
    } else if (first.hasDictValue()) {
      for (var entry : new java.util.TreeMap<>(first.getDictValue().getFieldsMap()).entrySet()) {
        if (!entry.getValue().hasTensorSpecValue()) {
          throw nested(entry.getValue().getKindCase().toString());
        }
        args.add(new InputArg(entry.getKey(),
            entry.getValue().getTensorSpecValue().getShape()));
      }
    } else {
      throw nested(first.getKindCase().toString());
    }
    return args;
  }

  private static InputArg inputArg(String name, TensorShapeProto shape, String fallback) {
    return new InputArg(name.isEmpty() ? fallback : name, shape);
  }

  private static UnsupportedModelException nested(String kind) {
    return new UnsupportedModelException("its input is a " + kind.toLowerCase(java.util.Locale.ROOT)
        + " (nested inputs); direct training supports one tensor or a flat list or dict of"
        + " tensors");
  }

  /**
   * The output names of a call that returns a dict of outputs (flattened in sorted key order,
   * which is not the config's {@code output_layers} order), else empty.
   */
  private static List<String> dictOutputKeys(SavedModelFile file, String function) {
    var out = file.objects().getConcreteFunctionsOrThrow(function).getOutputSignature();
    if (out.hasTupleValue() && out.getTupleValue().getValuesCount() == 2
        && out.getTupleValue().getValues(0).hasDictValue()) {
      return List.copyOf(new java.util.TreeSet<>(out.getTupleValue().getValues(0)
          .getDictValue().getFieldsMap().keySet()));
    }
    return List.of();
  }

  /**
   * How many losses the call returns besides its outputs (the second element of its output
   * signature: what {@code add_loss} and activity regularizers add), 0 when it says nothing.
   */
  private static int addedLossCount(SavedModelFile file, String function) {
    var out = file.objects().getConcreteFunctionsOrThrow(function).getOutputSignature();
    if (out.hasTupleValue() && out.getTupleValue().getValuesCount() == 2) {
      var losses = out.getTupleValue().getValues(1);
      if (losses.hasListValue()) {
        return losses.getListValue().getValuesCount();
      }
      if (losses.hasTupleValue()) {
        return losses.getTupleValue().getValuesCount();
      }
    }
    return 0;
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> floatOutput(Graph graph, String tensor) {
    Output<?> out = graph.operation(GraphTensors.node(tensor))
        .output(GraphTensors.index(tensor));
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
        || graph.operation(GraphTensors.node(saver.getRestoreOpName())) == null
        || graph.operation(GraphTensors.node(saver.getFilenameTensorName())) == null) {
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
      String op = GraphTensors.node(init.getOutputsOrThrow("__saved_model_init_op").getName());
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

  /** The input placeholder of a model with one input. */
  Output<?> input() {
    if (inputs.size() != 1) {
      throw new IllegalStateException("the model has " + inputs.size() + " inputs");
    }
    return inputs.get(0).placeholder();
  }

  /** The training call's output of a model with one output. */
  Output<TFloat32> trainingOutput() {
    return single(trainingOutputs);
  }

  /** The inference call's output of a model with one output. */
  Output<TFloat32> inferenceOutput() {
    return single(inferenceOutputs);
  }

  private static Output<TFloat32> single(List<Output<TFloat32>> outputs) {
    if (outputs.size() != 1) {
      throw new IllegalStateException("the model has " + outputs.size() + " outputs");
    }
    return outputs.get(0);
  }

  /** The model's inputs, in the order its call takes them. */
  List<ModelInput> inputs() {
    return inputs;
  }

  /** The outputs of the training call, in the model's output order. */
  List<Output<TFloat32>> trainingOutputs() {
    return trainingOutputs;
  }

  List<Output<TFloat32>> inferenceOutputs() {
    return inferenceOutputs;
  }

  /** The output names when the call returns a dict of outputs, in its order; else empty. */
  List<String> outputKeys() {
    return outputKeys;
  }

  List<ModelVariable> variables() {
    return variables;
  }

  /**
   * The handles that {@link #restore} fills: those the SavedModel's restore op takes, the
   * model's variables and the random ops' step counter (op names, for
   * {@link VariableStore#prepare}).
   */
  Set<String> restoredHandles() {
    Set<String> handles = new java.util.LinkedHashSet<>(VariableStore.restoredBy(graph,
        file.metaGraph().getSaverDef().getRestoreOpName()));
    variables.forEach(v -> handles.add(v.handle().op().name()));
    GraphOperation counter = randomStep.initialize();
    if (counter != null && counter.type().equals("AssignVariableOp")) {
      handles.add(counter.inputList(0, 1)[0].op().name());
    }
    return handles;
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
