package dev.lrfinder.direct;

/**
 * Graph tensor names as GraphDefs write them: {@code node:index}, or {@code node} alone for
 * output 0. Control inputs ({@code ^node}) are not tensors and are left to the callers.
 */
final class GraphTensors {
  private GraphTensors() {}

  /** The node that produces {@code tensor}. */
  static String node(String tensor) {
    int colon = tensor.lastIndexOf(':');
    return colon < 0 ? tensor : tensor.substring(0, colon);
  }

  /** The output index of {@code tensor} on its node. */
  static int index(String tensor) {
    int colon = tensor.lastIndexOf(':');
    return colon < 0 ? 0 : Integer.parseInt(tensor.substring(colon + 1));
  }
}
