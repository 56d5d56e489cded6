package dev.lrfinder.direct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Copies the body of a SavedModel function, and recursively of every function it calls, into a
 * graph as plain nodes, so that {@code Graph.addGradients} (TensorFlow's C++ gradient registry)
 * sees ordinary ops instead of function calls on resource handles, which it cannot differentiate.
 *
 * <p>Two rewrites make the inlined graph differentiable with respect to the model's variables:
 * every {@code ReadVariableOp} of a known variable becomes an {@code Identity} of one shared read
 * of that variable, and every {@code ResourceGather} (an Embedding lookup) becomes a
 * {@code GatherV2} on that shared read. Gradients are then taken with respect to the shared reads.
 * All reads of a step therefore see the variables' values from the start of the step (the
 * training functions of Keras layers read nothing they wrote earlier in the same call).
 *
 * <p>Nodes are named {@code <prefix>/<function node>/...}, function-body tensor references
 * ({@code node:output_arg:index}) are turned into graph references ({@code node:flat_index}) with
 * the op's definition, and stateful nodes a function lists as control outputs (BatchNorm's
 * moving-average updates) are returned so the caller can run them with the step.
 *
 * <p>{@code While} loops (recurrent layers) are unrolled when their trip count is known at build
 * time: {@code cond} is folded by {@link StaticValues} and {@code body} inlined once per step,
 * with the loop's TensorLists tracked by {@link TensorListRewriter}; see {@link
 * Body#emitLoop}.
 */
final class FunctionInliner {
  private static final Set<String> CALL_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall");
  /** Stateful random ops (Dropout, GaussianNoise...) to the stateless op that replaces each. */
  private static final Map<String, String> STATELESS_RANDOM = Map.of(
      "RandomUniform", "StatelessRandomUniform",
      "RandomStandardNormal", "StatelessRandomNormal",
      "TruncatedNormal", "StatelessTruncatedNormal",
      "RandomUniformInt", "StatelessRandomUniformInt",
      // tf.random.Generator's draws (key and counter from RngReadAndSkip): the key is replaced
      "StatelessRandomUniformV2", "StatelessRandomUniform",
      "StatelessRandomNormalV2", "StatelessRandomNormal",
      "StatelessTruncatedNormalV2", "StatelessTruncatedNormal",
      "StatelessRandomUniformIntV2", "StatelessRandomUniformInt");
  /** Graph tensor, int64 [2]: (mixed run seed, step), which every rewritten random op keys on. */
  static final String RANDOM_SEED = "lrfinder/random/seed:0";
  private static final Set<String> LOOP_OPS = Set.of("While", "StatelessWhile");
  private static final Set<String> CONTROL_FLOW_OPS = Set.of("If",
      "StatelessIf", "Case", "StatelessCase", "For", "RemoteCall", "SymbolicGradient");
  /**
   * The most nodes the unrolled loops may add: a guard against graphs too large to build in
   * reasonable time and memory (measured: see docs/direct.md).
   */
  static final int MAX_UNROLLED_NODES = 250_000;

  private final Map<String, FunctionDef> library;
  private final OpRegistry registry;
  /** Graph tensor of a variable's handle (e.g. {@code "dense/kernel:0"}) to its shared read. */
  private final Map<String, String> sharedReads;
  private final Map<String, NodeDef> graphNodes;
  private final List<NodeDef> nodes = new ArrayList<>();
  private final Map<String, NodeDef> emittedByName = new HashMap<>();
  private final StaticValues staticValues = new StaticValues(this::node);
  private final TensorListRewriter lists = new TensorListRewriter(staticValues, this::add);
  private int unrolledNodes;
  private final Set<String> opTypes = new LinkedHashSet<>();
  private final List<String> randomOps = new ArrayList<>();

  /** A node's data inputs as graph tensors, and the graph nodes it waits for. */
  private record NodeInputs(List<String> tensors, List<String> controls) {}

  /** The graph tensors a function call returns, and the node names of its control outputs. */
  record Inlined(List<String> outputs, List<String> controlOutputs) {}

  FunctionInliner(Map<String, FunctionDef> library, OpRegistry registry,
      Map<String, String> sharedReads) {
    this(library, registry, sharedReads, Map.of());
  }

  /**
   * As above, with the nodes of the graph the inlined nodes go into ({@code graphNodes}, by
   * name): the static shapes that fix a loop's trip count are read through them.
   */
  FunctionInliner(Map<String, FunctionDef> library, OpRegistry registry,
      Map<String, String> sharedReads, Map<String, NodeDef> graphNodes) {
    this.library = library;
    this.registry = registry;
    this.sharedReads = new HashMap<>(sharedReads); // grows by the Identities of handles
    this.graphNodes = graphNodes;
  }

  private void add(NodeDef node) {
    nodes.add(node);
    emittedByName.put(node.getName(), node);
  }

  /** A node of the graph being built, by name; the random seed (added later) as a stand-in. */
  private NodeDef node(String name) {
    NodeDef node = emittedByName.get(name);
    if (node == null) {
      node = graphNodes.get(name);
    }
    if (node == null && RANDOM_SEED.startsWith(name + ":")) {
      node = NodeDef.newBuilder().setName(name).setOp("Placeholder")
          .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_INT64).build()).build();
    }
    return node;
  }

  /** The nodes added so far, ready for a {@code GraphDef}. */
  List<NodeDef> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * The graph names of the random ops rewritten to stateless ones keyed on {@link #RANDOM_SEED};
   * when not empty, the caller must add that tensor to the graph.
   */
  List<String> randomOps() {
    return List.copyOf(randomOps);
  }

  /** Every op type the inlined bodies use, in first-seen order. */
  Set<String> opTypes() {
    return Set.copyOf(opTypes);
  }

  /**
   * Inlines {@code function} called with {@code arguments} (graph tensors, one per input arg).
   *
   * @throws UnsupportedModelException for control-flow ops (RNN loops) and unknown ops
   */
  Inlined inline(String function, List<String> arguments, String prefix) {
    return inline(function, arguments, prefix, List.of());
  }

  private Inlined inline(String function, List<String> arguments, String prefix,
      List<String> controlInputs) {
    FunctionDef def = library.get(function);
    if (def == null) {
      throw new UnsupportedModelException("the SavedModel has no function '" + function + "'");
    }
    var signature = def.getSignature();
    if (signature.getInputArgCount() != arguments.size()) {
      throw new IllegalArgumentException("function " + function + " takes "
          + signature.getInputArgCount() + " arguments, got " + arguments.size());
    }
    if (!signature.getAttrList().isEmpty()) {
      throw new UnsupportedModelException("function " + function + " is polymorphic");
    }
    Body body = new Body(def, prefix, controlInputs);
    for (int i = 0; i < arguments.size(); i++) {
      body.arguments.put(signature.getInputArg(i).getName(), arguments.get(i));
    }
    def.getNodeDefList().forEach(node -> body.emit(node.getName()));
    List<String> outputs = new ArrayList<>();
    for (var arg : signature.getOutputArgList()) {
      outputs.add(body.tensor(def.getRetOrThrow(arg.getName())));
    }
    List<String> controls = new ArrayList<>();
    for (String name : def.getControlRetMap().values()) {
      controls.add(body.controlTarget(name));
    }
    return new Inlined(outputs, controls);
  }

  /** One function body being inlined: its nodes by name and what each became. */
  private final class Body {
    final FunctionDef def;
    final String prefix;
    final List<String> controlInputs;
    final Map<String, NodeDef> byName = new HashMap<>();
    final Map<String, String> arguments = new HashMap<>();
    final Map<String, Inlined> calls = new HashMap<>();
    final Set<String> emitted = new java.util.HashSet<>();

    Body(FunctionDef def, String prefix, List<String> controlInputs) {
      this.def = def;
      this.prefix = prefix;
      this.controlInputs = controlInputs;
      def.getNodeDefList().forEach(n -> byName.put(n.getName(), n));
    }

    String graphName(String node) {
      return prefix + "/" + node;
    }

    /** Emits body node {@code name} (and, first, any call it depends on). */
    void emit(String name) {
      if (!emitted.add(name)) {
        return;
      }
      NodeDef node = byName.get(name);
      String op = node.getOp();
      if (LOOP_OPS.contains(op)) {
        emitLoop(node);
        return;
      }
      if (CONTROL_FLOW_OPS.contains(op)) {
        throw new UnsupportedModelException("it uses a " + op + " op (" + loopHint(op)
            + "), which TensorFlow's C++ gradients do not cover");
      }
      if (CALL_OPS.contains(op) || library.containsKey(op)) {
        emitCall(node);
        return;
      }
      if (op.equals("IdentityN")) {
        emitIdentityN(node);
        return;
      }
      List<String> inputs = new ArrayList<>();
      List<String> controls = new ArrayList<>();
      for (String input : node.getInputList()) {
        if (input.startsWith("^")) {
          controls.add("^" + controlTarget(input.substring(1)));
        } else {
          inputs.add(tensor(input));
        }
      }
      controlInputs.forEach(c -> controls.add("^" + c));
      if (TensorListRewriter.LIST_OPS.contains(op)
          || op.equals("Identity") && lists.isList(inputs.get(0))) {
        lists.rewrite(node, graphName(name), inputs, controls);
        return;
      }
      for (String input : inputs) {
        if (lists.isList(input)) {
          throw new UnsupportedModelException("its loop uses the op " + op + " on a TensorList,"
              + " which the unrolled loop does not build");
        }
      }
      String read = inputs.isEmpty() ? null : sharedReads.get(inputs.get(0));
      if (op.equals("Identity") && read != null) { // a handle passed on: reads share its read
        sharedReads.put(graphName(name) + ":0", read);
      }
      NodeDef.Builder out;
      if (op.equals("ReadVariableOp") && read != null) {
        out = NodeDef.newBuilder().setOp("Identity").addInput(read)
            .putAttr("T", node.getAttrOrThrow("dtype"));
      } else if (op.equals("ResourceGather") && read != null) {
        out = gatherOnValue(node, read, inputs.get(1));
      } else if (op.equals("OnesLike")) {
        out = onesLike(node, inputs.get(0));
      } else if (STATELESS_RANDOM.containsKey(op)) {
        out = statelessRandom(node, inputs);
      } else {
        out = NodeDef.newBuilder().setOp(op).addAllInput(inputs);
        node.getAttrMap().forEach((key, value) -> {
          if (!key.startsWith("_")) { // colocation and other private attrs name body nodes
            out.putAttr(key, value);
          }
        });
        out.setDevice(node.getDevice());
      }
      out.setName(graphName(name)).addAllInput(controls);
      opTypes.add(out.getOp());
      add(out.build());
    }

    /**
     * {@code IdentityN} (what {@code tf.custom_gradient} wraps around a function such as swish)
     * has no C++ gradient: its outputs are read straight from its inputs instead (see
     * {@link #tensor}), so gradients flow through the forward ops. A NoOp under its name stands
     * for it in control dependencies.
     */
    void emitIdentityN(NodeDef node) {
      NodeDef.Builder done = NodeDef.newBuilder().setName(graphName(node.getName())).setOp("NoOp");
      for (String input : node.getInputList()) {
        done.addInput("^" + (input.startsWith("^")
            ? controlTarget(input.substring(1)) : GraphTensors.node(tensor(input))));
      }
      controlInputs.forEach(c -> done.addInput("^" + c));
      add(done.build());
    }

    /**
     * A stateful random op as its stateless twin whose seed is {@link #RANDOM_SEED} plus a
     * constant of the node's graph name: the op's values depend on (run seed, step, op) only, not
     * on how often the session ran it, so every optimizer sees the same masks at the same step.
     */
    NodeDef.Builder statelessRandom(NodeDef node, List<String> inputs) {
      String name = graphName(node.getName());
      String key = name + "/lrfinder_op_key";
      long opKey = new java.util.SplittableRandom(name.hashCode()).nextLong();
      add(NodeDef.newBuilder().setName(key).setOp("Const")
          .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_INT64).build())
          .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder()
              .setDtype(DataType.DT_INT64).setTensorShape(TensorShapeProto.newBuilder()
                  .addDim(TensorShapeProto.Dim.newBuilder().setSize(2)))
              .addInt64Val(opKey).addInt64Val(0)).build())
          .build());
      String seed = name + "/lrfinder_seed";
      add(NodeDef.newBuilder().setName(seed).setOp("AddV2").addInput(RANDOM_SEED)
          .addInput(key + ":0")
          .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_INT64).build()).build());
      randomOps.add(name);
      AttrValue int64 = AttrValue.newBuilder().setType(DataType.DT_INT64).build();
      boolean v2 = node.getOp().endsWith("V2"); // inputs shape, key, counter, alg[, min, max]
      NodeDef.Builder out = NodeDef.newBuilder().setOp(STATELESS_RANDOM.get(node.getOp()))
          .addInput(inputs.get(0)).addInput(seed + ":0")
          .putAttr("T", withDefault(node, v2 ? "Tshape" : "T")).putAttr("Tseed", int64);
      if (node.getOp().equals("RandomUniformInt")) {
        out.addInput(inputs.get(1)).addInput(inputs.get(2))
            .putAttr("dtype", withDefault(node, "Tout"));
      } else if (node.getOp().equals("StatelessRandomUniformIntV2")) {
        out.addInput(inputs.get(4)).addInput(inputs.get(5))
            .putAttr("dtype", withDefault(node, "dtype"));
      } else {
        out.putAttr("dtype", withDefault(node, "dtype"));
      }
      return out.setDevice(node.getDevice());
    }

    /**
     * {@code OnesLike(x)} (recurrent dropout's mask base) has no C++ gradient: it becomes
     * {@code ZerosLike(x) + 1}, exactly the same values, through {@code ZerosLike}, which the
     * registry knows to have none.
     */
    NodeDef.Builder onesLike(NodeDef node, String input) {
      AttrValue type = node.getAttrOrThrow("T");
      TensorProto.Builder one = TensorProto.newBuilder().setDtype(type.getType())
          .setTensorShape(TensorShapeProto.getDefaultInstance());
      switch (type.getType()) {
        case DT_FLOAT -> one.addFloatVal(1f);
        case DT_DOUBLE -> one.addDoubleVal(1d);
        default -> throw new UnsupportedModelException("it uses OnesLike on " + type.getType()
            + " (node " + node.getName() + ")");
      }
      String name = graphName(node.getName());
      add(NodeDef.newBuilder().setName(name + "/lrfinder_zeros").setOp("ZerosLike")
          .addInput(input).putAttr("T", type).build());
      add(NodeDef.newBuilder().setName(name + "/lrfinder_one").setOp("Const")
          .putAttr("dtype", type).putAttr("value", AttrValue.newBuilder().setTensor(one).build())
          .build());
      return NodeDef.newBuilder().setOp("AddV2").addInput(name + "/lrfinder_zeros:0")
          .addInput(name + "/lrfinder_one:0").putAttr("T", type);
    }

    /** An attr of {@code node}, or its op's default when the node leaves it out. */
    AttrValue withDefault(NodeDef node, String name) {
      return attr(node, registry.find(node.getOp()).orElseThrow(), name);
    }

    /** {@code ResourceGather(handle, indices)} as {@code GatherV2(value, indices, axis 0)}. */
    NodeDef.Builder gatherOnValue(NodeDef node, String value, String indices) {
      if (node.containsAttr("batch_dims") && node.getAttrOrThrow("batch_dims").getI() != 0) {
        throw new UnsupportedModelException("it gathers with batch_dims != 0 (node "
            + node.getName() + ")");
      }
      String axis = graphName(node.getName()) + "/lrfinder_axis";
      add(NodeDef.newBuilder().setName(axis).setOp("Const")
          .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_INT32).build())
          .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder()
              .setDtype(DataType.DT_INT32).setTensorShape(TensorShapeProto.getDefaultInstance())
              .addIntVal(0)).build())
          .build());
      return NodeDef.newBuilder().setOp("GatherV2").addInput(value).addInput(indices)
          .addInput(axis + ":0")
          .putAttr("Tparams", node.getAttrOrThrow("dtype"))
          .putAttr("Tindices", node.getAttrOrThrow("Tindices"))
          .putAttr("Taxis", AttrValue.newBuilder().setType(DataType.DT_INT32).build())
          .putAttr("batch_dims", AttrValue.newBuilder().setI(0).build());
    }

    /**
     * A call or loop node's inputs as graph tensors, and the graph nodes it must wait for: its
     * own control inputs and those of the call it is inlined in.
     */
    NodeInputs inputsOf(NodeDef node) {
      List<String> tensors = new ArrayList<>();
      List<String> controls = new ArrayList<>(controlInputs);
      for (String input : node.getInputList()) {
        if (input.startsWith("^")) {
          controls.add(controlTarget(input.substring(1)));
        } else {
          tensors.add(tensor(input));
        }
      }
      return new NodeInputs(tensors, controls);
    }

    /** Inlines a call node's callee; a NoOp under the call's name stands for its completion. */
    void emitCall(NodeDef node) {
      String callee = CALL_OPS.contains(node.getOp())
          ? node.getAttrOrThrow("f").getFunc().getName() : node.getOp();
      NodeInputs in = inputsOf(node);
      Inlined inlined = inline(callee, in.tensors(), graphName(node.getName()), in.controls());
      calls.put(node.getName(), inlined);
      NodeDef.Builder done = NodeDef.newBuilder().setName(graphName(node.getName())).setOp("NoOp");
      inlined.controlOutputs().forEach(c -> done.addInput("^" + c));
      inlined.outputs().forEach(t -> done.addInput("^" + GraphTensors.node(t)));
      add(done.build());
    }

    /**
     * Unrolls a {@code While} loop (what recurrent layers build): its {@code cond} function is
     * inlined and folded to a value known at build time ({@link StaticValues}), and while it is
     * true its {@code body} is inlined once more on the loop values, which its outputs replace.
     * The loop's outputs are the last values. A cond not known at build time (a sequence length
     * of None) is refused: the loop's trip count would be unknown.
     */
    void emitLoop(NodeDef node) {
      String cond = node.getAttrOrThrow("cond").getFunc().getName();
      String body = node.getAttrOrThrow("body").getFunc().getName();
      NodeInputs in = inputsOf(node);
      List<String> values = in.tensors();
      List<String> controls = in.controls();
      String name = graphName(node.getName());
      List<String> updates = new ArrayList<>();
      for (int i = 0; ; i++) {
        String test = inline(cond, values, name + "/cond_" + i, controls).outputs().get(0);
        long go = staticValues.scalar(test).orElseThrow(() -> new UnsupportedModelException(
            "its recurrent layer's sequence length is not fixed (None), so its loop cannot be"
            + " unrolled; give the Input a fixed length (e.g. Input((100, 8)), padding the"
            + " sequences)"));
        if (go == 0) {
          break;
        }
        int before = nodes.size();
        Inlined step = inline(body, values, name + "/iter_" + i, controls);
        unrolledNodes += Math.max(1, nodes.size() - before); // an empty body still counts
        if (unrolledNodes > MAX_UNROLLED_NODES) {
          throw new UnsupportedModelException("its recurrent layers unrolled past "
              + MAX_UNROLLED_NODES + " nodes (" + (i + 1) + " steps of " + node.getName()
              + "); shorten the sequences");
        }
        values = step.outputs();
        updates.addAll(step.controlOutputs());
      }
      Inlined loop = new Inlined(values, updates);
      calls.put(node.getName(), loop);
      NodeDef.Builder done = NodeDef.newBuilder().setName(name).setOp("NoOp");
      updates.forEach(c -> done.addInput("^" + c));
      values.forEach(t -> done.addInput("^" + GraphTensors.node(t)));
      controls.forEach(c -> done.addInput("^" + c));
      add(done.build());
    }

    /** The graph node that a control reference to body node {@code name} must wait for. */
    String controlTarget(String name) {
      if (!byName.containsKey(name)) {
        throw new IllegalArgumentException("unknown control input ^" + name + " in "
            + def.getSignature().getName());
      }
      emit(name);
      return graphName(name);
    }

    /** The graph tensor for a body reference: {@code arg}, or {@code node:output_arg:index}. */
    String tensor(String reference) {
      String[] parts = reference.split(":");
      if (parts.length == 1) {
        String arg = arguments.get(reference);
        if (arg == null) {
          throw new IllegalArgumentException("unknown input '" + reference + "' in "
              + def.getSignature().getName());
        }
        return arg;
      }
      if (parts.length != 3) {
        throw new IllegalArgumentException("unexpected tensor reference '" + reference + "'");
      }
      NodeDef producer = byName.get(parts[0]);
      if (producer == null) {
        throw new IllegalArgumentException("unknown node in '" + reference + "'");
      }
      emit(parts[0]);
      int index = Integer.parseInt(parts[2]);
      if (producer.getOp().equals("IdentityN")) {
        return tensor(producer.getInput(Integer.parseInt(parts[2])));
      }
      Inlined call = calls.get(parts[0]);
      if (call != null) {
        return call.outputs().get(callOutputIndex(producer, parts[1], index));
      }
      return graphName(parts[0]) + ":" + flatIndex(producer, parts[1], index);
    }

    /** Position in a callee's outputs: a call op's list arg, or a direct call's named output. */
    int callOutputIndex(NodeDef call, String outputArg, int index) {
      if (CALL_OPS.contains(call.getOp()) || LOOP_OPS.contains(call.getOp())) {
        return index;
      }
      var outputs = library.get(call.getOp()).getSignature().getOutputArgList();
      for (int i = 0; i < outputs.size(); i++) {
        if (outputs.get(i).getName().equals(outputArg)) {
          return i + index;
        }
      }
      throw new IllegalArgumentException("function " + call.getOp() + " has no output " + outputArg);
    }

    /** Flat output index of {@code outputArg[index]} of a node, from its op's definition. */
    int flatIndex(NodeDef node, String outputArg, int index) {
      OpDef op = registry.find(node.getOp()).orElseThrow(() -> new UnsupportedModelException(
          "it uses the op " + node.getOp() + ", which this TensorFlow runtime does not know"));
      int offset = 0;
      for (OpDef.ArgDef arg : op.getOutputArgList()) {
        if (arg.getName().equals(outputArg)) {
          return offset + index;
        }
        offset += listLength(node, op, arg);
      }
      throw new IllegalArgumentException("op " + node.getOp() + " has no output " + outputArg);
    }

    int listLength(NodeDef node, OpDef op, OpDef.ArgDef arg) {
      if (!arg.getNumberAttr().isEmpty()) {
        return (int) attr(node, op, arg.getNumberAttr()).getI();
      }
      if (!arg.getTypeListAttr().isEmpty()) {
        return attr(node, op, arg.getTypeListAttr()).getList().getTypeCount();
      }
      return 1;
    }

    AttrValue attr(NodeDef node, OpDef op, String name) {
      if (node.containsAttr(name)) {
        return node.getAttrOrThrow(name);
      }
      return op.getAttrList().stream().filter(a -> a.getName().equals(name)).findFirst()
          .map(OpDef.AttrDef::getDefaultValue).orElseThrow(() -> new IllegalArgumentException(
              "node " + node.getName() + " lacks attr " + name));
    }
  }


  private static String loopHint(String op) {
    return op.contains("While") || op.equals("For")
        ? "a loop, as recurrent layers such as LSTM and GRU build" : "conditional control flow";
  }
}
