package dev.lrfinder.data;

import java.util.List;

/**
 * One mini-batch: one array per model input and one label array per model output (in the
 * model's signature order), all with the same number of rows.
 */
public record Batch(List<HostArray> inputs, List<HostArray> labels) {
  public Batch {
    inputs = List.copyOf(inputs);
    labels = List.copyOf(labels);
    if (inputs.isEmpty() || labels.isEmpty()) {
      throw new IllegalArgumentException("a batch needs an input and a label");
    }
    long rows = inputs.get(0).rows();
    for (HostArray a : inputs) {
      requireRows(a, rows);
    }
    for (HostArray a : labels) {
      requireRows(a, rows);
    }
  }

  /** A batch of one input and one label. */
  public Batch(HostArray x, HostArray y) {
    this(List.of(x), List.of(y));
  }

  /** The input of a batch of one input. */
  public HostArray x() {
    if (inputs.size() != 1) {
      throw new IllegalStateException("the batch has " + inputs.size() + " inputs");
    }
    return inputs.get(0);
  }

  /** The label of a batch of one label. */
  public HostArray y() {
    if (labels.size() != 1) {
      throw new IllegalStateException("the batch has " + labels.size() + " labels");
    }
    return labels.get(0);
  }

  public long size() {
    return inputs.get(0).rows();
  }

  private static void requireRows(HostArray array, long rows) {
    if (array.rows() != rows) {
      throw new IllegalArgumentException("x has " + rows + " rows, y has " + array.rows());
    }
  }
}
