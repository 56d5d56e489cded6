package dev.lrfinder.direct;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The static shape TensorFlow's shape inference gives a tensor of a graph being built: the nodes
 * the tensor depends on are imported into a scratch graph, whose shape functions do the work.
 * Used for the few tensors a loop's trip count is read from, so it is cheap enough.
 */
final class StaticShapes {
  private final Function<String, NodeDef> nodes;
  private final Map<String, Shape> cache = new HashMap<>();

  /** {@code nodes} finds a node of the graph being built by name, or returns null. */
  StaticShapes(Function<String, NodeDef> nodes) {
    this.nodes = nodes;
  }

  /** The static shape of graph tensor {@code node:index}, empty if a node is unknown. */
  Optional<Shape> of(String tensor) {
    if (cache.containsKey(tensor)) {
      return Optional.of(cache.get(tensor));
    }
    String node = GraphTensors.node(tensor);
    Map<String, NodeDef> closure = new LinkedHashMap<>();
    Deque<String> pending = new ArrayDeque<>();
    pending.add(node);
    while (!pending.isEmpty()) {
      String name = pending.pop();
      if (closure.containsKey(name)) {
        continue;
      }
      NodeDef def = nodes.apply(name);
      if (def == null) {
        return Optional.empty();
      }
      closure.put(name, def);
      for (String input : def.getInputList()) {
        pending.add(GraphTensors.node(input.startsWith("^") ? input.substring(1) : input));
      }
    }
    try (Graph graph = new Graph()) {
      graph.importGraphDef(GraphDef.newBuilder().addAllNode(closure.values()).build());
      Shape shape = graph.operation(node).output(GraphTensors.index(tensor)).shape();
      cache.put(tensor, shape);
      return Optional.of(shape);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
