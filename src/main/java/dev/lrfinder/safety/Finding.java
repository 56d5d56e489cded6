package dev.lrfinder.safety;

import java.util.Objects;

/**
 * One node of a SavedModel that lrfinder refuses to run.
 *
 * @param opType the node's op type, e.g. {@code WriteFile}
 * @param node the node's name
 * @param function the library function holding the node, or {@code null} for a node of the graph
 * @param concern why the op is refused
 */
public record Finding(String opType, String node, String function, Concern concern) {
  public Finding {
    Objects.requireNonNull(opType, "opType");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(concern, "concern");
  }

  /** Where the node is: "in function 'f'" or "in the graph". */
  public String place() {
    return function == null ? "in the graph" : "in function '" + function + "'";
  }

  /** One sentence, e.g. "op WriteFile (node 'w' in function 'f') reads, writes... files". */
  public String sentence() {
    return "op " + opType + " (node '" + node + "' " + place() + ") " + concern.words();
  }
}
