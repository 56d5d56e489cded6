package dev.lrfinder.data;

/** One mini-batch: features and labels with the same number of rows. */
public record Batch(HostArray x, HostArray y) {
  public Batch {
    if (x.rows() != y.rows()) {
      throw new IllegalArgumentException("x has " + x.rows() + " rows, y has " + y.rows());
    }
  }

  public long size() {
    return x.rows();
  }
}
