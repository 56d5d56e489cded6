package dev.lrfinder.direct;

import dev.lrfinder.runtime.SavedModelDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedConcreteFunction;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedVariable;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.Struct.StructuredValue;

/**
 * The {@code serve} meta graph of a TF2 SavedModel read as protobuf: its graph, function library,
 * object graph (Keras layers, variables, traced functions) and signatures.
 */
final class SavedModelFile {
  private final Path directory;
  private final MetaGraphDef metaGraph;
  private final Map<String, FunctionDef> library = new HashMap<>();
  private final Map<String, NodeDef> graphNodes = new HashMap<>();
  /** Object-graph variable node id to the graph's VarHandleOp name. */
  private final Map<Integer, String> handles;
  /** Object-graph resource node id (a lookup table) to the graph node that creates it. */
  private final Map<Integer, String> resources = new HashMap<>();

  /** A variable of the object graph and the graph's {@code VarHandleOp} that holds it. */
  record Variable(int nodeId, String name, boolean trainable, String handleOp) {}

  /** A captured argument of a function: a graph tensor, and the variable it holds if one. */
  record Capture(String tensor, Variable variable) {}

  private SavedModelFile(Path directory, MetaGraphDef metaGraph) {
    this.directory = directory;
    this.metaGraph = metaGraph;
    metaGraph.getGraphDef().getLibrary().getFunctionList()
        .forEach(f -> library.put(f.getSignature().getName(), f));
    metaGraph.getGraphDef().getNodeList().forEach(n -> graphNodes.put(n.getName(), n));
    this.handles = variableHandles();
  }

  static SavedModelFile read(Path directory) {
    return read(directory, SavedModelDirectory.savedModel(directory));
  }

  /** As {@link #read(Path)} for the already parsed {@code saved_model.pb} of {@code directory}. */
  static SavedModelFile read(Path directory, SavedModel model) {
    MetaGraphDef serve = SavedModelDirectory.metaGraph(directory, model, "serve");
    if (!serve.hasObjectGraphDef() || serve.getObjectGraphDef().getNodesCount() == 0) {
      throw new UnsupportedModelException("it is a TF1 SavedModel without an object graph");
    }
    return new SavedModelFile(directory, serve);
  }

  Path directory() {
    return directory;
  }

  MetaGraphDef metaGraph() {
    return metaGraph;
  }

  Map<String, FunctionDef> library() {
    return library;
  }

  SavedObjectGraph objects() {
    return metaGraph.getObjectGraphDef();
  }

  Optional<SignatureDef> signature(String key) {
    return Optional.ofNullable(metaGraph.getSignatureDefMap().get(key));
  }

  /**
   * The concrete function the root object's {@code child} (e.g.
   * {@code call_and_return_all_conditional_losses}) was traced to with {@code training} set.
   */
  Optional<String> rootCallFunction(String child, boolean training) {
    SavedObject root = objects().getNodes(0);
    for (var ref : root.getChildrenList()) {
      if (!ref.getLocalName().equals(child)) {
        continue;
      }
      SavedObject fn = objects().getNodes(ref.getNodeId());
      if (!fn.hasFunction()) {
        continue;
      }
      for (String name : fn.getFunction().getConcreteFunctionsList()) {
        SavedConcreteFunction concrete = objects().getConcreteFunctionsOrThrow(name);
        if (trainingFlag(concrete.getCanonicalizedInputSignature()).orElse(!training) == training) {
          return Optional.of(name);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The {@code training} argument a Keras call was traced with: the second positional argument
   * or the {@code training} keyword of the signature {@code ((inputs, training, mask), {})}.
   */
  private static Optional<Boolean> trainingFlag(StructuredValue signature) {
    if (!signature.hasTupleValue() || signature.getTupleValue().getValuesCount() != 2) {
      return Optional.empty();
    }
    StructuredValue args = signature.getTupleValue().getValues(0);
    StructuredValue kwargs = signature.getTupleValue().getValues(1);
    if (args.hasTupleValue() && args.getTupleValue().getValuesCount() > 1
        && args.getTupleValue().getValues(1).hasBoolValue()) {
      return Optional.of(args.getTupleValue().getValues(1).getBoolValue());
    }
    if (kwargs.hasDictValue() && kwargs.getDictValue().containsFields("training")
        && kwargs.getDictValue().getFieldsOrThrow("training").hasBoolValue()) {
      return Optional.of(kwargs.getDictValue().getFieldsOrThrow("training").getBoolValue());
    }
    return Optional.empty();
  }

  /**
   * What a concrete function captures, in the order of its trailing arguments: variables, each
   * with the graph's {@code VarHandleOp} that holds it, and constants (e.g. the statistics of an
   * adapted Normalization layer), each with the graph's {@code Const} node.
   */
  List<Capture> captures(String concreteFunction) {
    SavedConcreteFunction concrete = objects().getConcreteFunctionsOrThrow(concreteFunction);
    List<Capture> captures = new ArrayList<>();
    for (int nodeId : concrete.getBoundInputsList()) {
      SavedObject node = objects().getNodes(nodeId);
      if (node.hasConstant()) {
        String op = node.getConstant().getOperation();
        if (graphNode(op) == null) {
          throw new UnsupportedModelException("constant '" + op + "' is missing from its graph");
        }
        captures.add(new Capture(op + ":0", null));
        continue;
      }
      if (node.hasResource()) {
        // What StringLookup, IntegerLookup and feature-column vocabularies save: a table the
        // graph creates, the saver restores and the init op fills; training only reads it.
        String table = resources.get(nodeId);
        if (table == null) {
          throw new UnsupportedModelException("its call uses a lookup table or other resource"
              + " (node " + nodeId + ") that its graph does not create");
        }
        captures.add(new Capture(table + ":0", null));
        continue;
      }
      if (!node.hasVariable()) {
        throw new UnsupportedModelException("its call function captures a "
            + node.getKindCase() + " (node " + nodeId + "), not a variable or constant");
      }
      SavedVariable v = node.getVariable();
      String handle = handles.get(nodeId);
      if (handle == null) {
        throw new UnsupportedModelException("variable '" + v.getName()
            + "' has no handle in the SavedModel's graph");
      }
      captures.add(new Capture(handle + ":0",
          new Variable(nodeId, v.getName(), v.getTrainable(), handle)));
    }
    return captures;
  }

  /**
   * Object-graph variable node id to graph VarHandleOp name. The signature functions' call nodes
   * pass the handles in the order of their captured variables; a variable no signature captures
   * is matched by name when exactly one handle has that shared name. Captured resources (lookup
   * tables) are matched the same way, into {@link #resources}.
   */
  private Map<Integer, String> variableHandles() {
    Map<Integer, String> handles = new HashMap<>();
    for (NodeDef node : metaGraph.getGraphDef().getNodeList()) {
      if (!node.getOp().equals("StatefulPartitionedCall") || !node.containsAttr("f")) {
        continue;
      }
      String function = node.getAttrOrThrow("f").getFunc().getName();
      SavedConcreteFunction concrete = objects().getConcreteFunctionsMap().get(function);
      if (concrete == null) {
        continue;
      }
      List<String> inputs = node.getInputList().stream().filter(i -> !i.startsWith("^")).toList();
      int captured = concrete.getBoundInputsCount();
      for (int i = 0; i < captured; i++) {
        String input = inputs.get(inputs.size() - captured + i);
        NodeDef producer = graphNodes.get(GraphTensors.node(input));
        int bound = concrete.getBoundInputs(i);
        if (producer != null && producer.getOp().equals("VarHandleOp")) {
          handles.putIfAbsent(bound, producer.getName());
        } else if (producer != null && objects().getNodes(bound).hasResource()) {
          resources.putIfAbsent(bound, producer.getName());
        }
      }
    }
    Map<String, List<String>> bySharedName = new HashMap<>();
    for (NodeDef node : metaGraph.getGraphDef().getNodeList()) {
      if (node.getOp().equals("VarHandleOp")) {
        bySharedName.computeIfAbsent(node.getAttrOrThrow("shared_name").getS().toStringUtf8(),
            k -> new ArrayList<>()).add(node.getName());
      }
    }
    for (int id = 0; id < objects().getNodesCount(); id++) {
      SavedObject node = objects().getNodes(id);
      if (node.hasVariable() && !handles.containsKey(id)) {
        List<String> named = bySharedName.getOrDefault(node.getVariable().getName(), List.of());
        if (named.size() == 1) {
          handles.put(id, named.get(0));
        }
      }
    }
    return handles;
  }

  /** The function's input args that are not captured variables (the model's inputs). */
  int inputArgCount(String concreteFunction) {
    FunctionDef def = library.get(concreteFunction);
    return def.getSignature().getInputArgCount()
        - objects().getConcreteFunctionsOrThrow(concreteFunction).getBoundInputsCount();
  }

  NodeDef graphNode(String name) {
    return graphNodes.get(name);
  }
}
