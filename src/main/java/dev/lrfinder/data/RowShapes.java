package dev.lrfinder.data;

/**
 * The row shapes a model takes, without the batch dimension ({@code -1} matches any size), so a
 * data file can be checked from its array headers before gigabytes are read.
 *
 * @param labelNote what the labels must be, in words, added to a label shape error (may be empty)
 */
public record RowShapes(long[] features, long[] labels, String labelNote) {
  public RowShapes {
    features = features.clone();
    labels = labels.clone();
  }

  @Override
  public long[] features() {
    return features.clone();
  }

  @Override
  public long[] labels() {
    return labels.clone();
  }
}
