package dev.lrfinder.safety;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * Checks every node of a SavedModel against an {@link OpPolicy}: each meta graph's graph and
 * every function of its library, called or not (a function is reachable from the graph through
 * calls by name and function attributes, and from Python through the object graph). Checkpoint
 * ops pass only inside the meta graph's {@link SaverRegion}. Reads protobuf only; runs nothing.
 */
public final class OpScan {
  /** The streams {@code PrintV2} may print to; anything else ({@code file://...}) is a file. */
  private static final Set<String> PRINT_STREAMS = Set.of("stdout", "stderr", "log(info)",
      "log(warning)", "log(error)");

  private final OpPolicy policy;

  public OpScan(OpPolicy policy) {
    this.policy = policy;
  }

  public ScanReport scan(SavedModel model) {
    Tally tally = new Tally();
    model.getMetaGraphsList().forEach(m -> scan(m, tally));
    return tally.report();
  }

  public ScanReport scan(MetaGraphDef metaGraph) {
    Tally tally = new Tally();
    scan(metaGraph, tally);
    return tally.report();
  }

  /** Counts and findings gathered over the meta graphs of one SavedModel. */
  private static final class Tally {
    int graphNodes;
    int functions;
    int functionNodes;
    final SortedSet<String> opTypes = new TreeSet<>();
    final List<Finding> findings = new ArrayList<>();

    ScanReport report() {
      return new ScanReport(graphNodes, functions, functionNodes, opTypes, findings);
    }
  }

  private void scan(MetaGraphDef metaGraph, Tally tally) {
    Map<String, FunctionDef> library = new LinkedHashMap<>();
    metaGraph.getGraphDef().getLibrary().getFunctionList()
        .forEach(f -> library.put(f.getSignature().getName(), f));
    SaverRegion saver = SaverRegion.of(metaGraph.getGraphDef(), metaGraph.getSaverDef(), library);
    for (NodeDef node : metaGraph.getGraphDef().getNodeList()) {
      tally.graphNodes++;
      check(node, null, saver.nodes().contains(node.getName()), library, tally);
    }
    for (FunctionDef function : library.values()) {
      String name = function.getSignature().getName();
      tally.functions++;
      for (NodeDef node : function.getNodeDefList()) {
        tally.functionNodes++;
        check(node, name, saver.functions().contains(name), library, tally);
      }
    }
  }

  private void check(NodeDef node, String function, boolean inSaver,
      Map<String, FunctionDef> library, Tally tally) {
    // A call of a library function by name is checked in the function's own body; a listed op
    // name wins, so a function cannot pass for an op (TensorFlow refuses such a library anyway).
    if (!(library.containsKey(node.getOp()) && policy.rule(node.getOp()).isEmpty())) {
      tally.opTypes.add(node.getOp());
      checkOp(node.getOp(), node, function, inSaver, tally);
    }
    // A function attribute may name a primitive op instead of a function (SymbolicGradient).
    for (String name : FunctionCalls.attributeNames(node)) {
      if (!library.containsKey(name)) {
        tally.opTypes.add(name);
        checkOp(name, node, function, inSaver, tally);
      }
    }
  }

  private void checkOp(String opType, NodeDef node, String function, boolean inSaver,
      Tally tally) {
    OpPolicy.Rule rule = policy.rule(opType).orElse(null);
    Concern concern;
    if (rule == null) {
      concern = Concern.NOT_ALLOWED;
    } else {
      concern = switch (rule) {
        case ALLOWED -> opType.equals("PrintV2") && printsToFile(node)
            ? Concern.PRINT_TO_FILE : null;
        case SAVER -> inSaver ? null : Concern.CHECKPOINT;
        case FILES -> Concern.FILES;
        case NETWORK -> Concern.NETWORK;
        case PYTHON -> Concern.PYTHON;
      };
    }
    if (concern != null) {
      tally.findings.add(new Finding(opType, node.getName(), function, concern));
    }
  }

  private static boolean printsToFile(NodeDef node) {
    String stream = node.containsAttr("output_stream")
        ? node.getAttrOrThrow("output_stream").getS().toStringUtf8() : "stderr";
    return !PRINT_STREAMS.contains(stream);
  }
}
