package dev.lrfinder.safety;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SaverDef;

/**
 * The part of a meta graph that only its own saver runs: the graph nodes that the
 * {@code saver_def}'s save tensor and restore op depend on and nothing else depends on, and the
 * library functions that only those nodes call (directly or through other functions). Checkpoint
 * ops are allowed there and nowhere else.
 *
 * @param nodes graph node names
 * @param functions library function names
 */
record SaverRegion(Set<String> nodes, Set<String> functions) {
  SaverRegion {
    nodes = Set.copyOf(nodes);
    functions = Set.copyOf(functions);
  }

  static SaverRegion of(GraphDef graph, SaverDef saver, Map<String, FunctionDef> library) {
    Map<String, NodeDef> byName = new HashMap<>();
    graph.getNodeList().forEach(n -> byName.put(n.getName(), n));
    Set<String> roots = new HashSet<>();
    for (String tensor : List.of(saver.getSaveTensorName(), saver.getRestoreOpName())) {
      String name = nodeName(tensor);
      if (byName.containsKey(name)) {
        roots.add(name);
      }
    }
    Set<String> reached = ancestors(roots, byName);
    Set<String> others = new HashSet<>(byName.keySet());
    others.removeAll(reached);
    // A saver node that another node depends on runs with that node too: it is not saver-only.
    Set<String> sharedWithOthers = ancestors(others, byName);
    Set<String> saverNodes = new HashSet<>(reached);
    saverNodes.removeAll(sharedWithOthers);

    Set<String> saverCalls = calledClosure(calls(saverNodes, byName, library), library);
    Set<String> generalRoots = calls(sharedWithOthers, byName, library);
    library.keySet().stream().filter(f -> !saverCalls.contains(f)).forEach(generalRoots::add);
    Set<String> general = calledClosure(generalRoots, library);
    Set<String> saverFunctions = new HashSet<>(saverCalls);
    saverFunctions.removeAll(general);
    return new SaverRegion(saverNodes, saverFunctions);
  }

  /** The node of a tensor or control reference: {@code ^a}, {@code a:1} and {@code a} name a. */
  static String nodeName(String reference) {
    String name = reference.startsWith("^") ? reference.substring(1) : reference;
    int colon = name.indexOf(':');
    return colon >= 0 ? name.substring(0, colon) : name;
  }

  /** {@code roots} and every graph node they depend on, through data and control inputs. */
  private static Set<String> ancestors(Collection<String> roots, Map<String, NodeDef> byName) {
    Set<String> seen = new HashSet<>(roots);
    Deque<String> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      NodeDef node = byName.get(todo.pop());
      for (String input : node.getInputList()) {
        String name = nodeName(input);
        if (byName.containsKey(name) && seen.add(name)) {
          todo.push(name);
        }
      }
    }
    return seen;
  }

  private static Set<String> calls(Collection<String> nodes, Map<String, NodeDef> byName,
      Map<String, FunctionDef> library) {
    Set<String> called = new HashSet<>();
    nodes.forEach(n -> called.addAll(FunctionCalls.of(byName.get(n), library)));
    return called;
  }

  /** {@code roots} and every library function they call, transitively. */
  private static Set<String> calledClosure(Set<String> roots, Map<String, FunctionDef> library) {
    Set<String> seen = new HashSet<>(roots);
    Deque<String> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      FunctionDef function = library.get(todo.pop());
      for (NodeDef node : function.getNodeDefList()) {
        for (String callee : FunctionCalls.of(node, library)) {
          if (seen.add(callee)) {
            todo.push(callee);
          }
        }
      }
    }
    return seen;
  }
}
