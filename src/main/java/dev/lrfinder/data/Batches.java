package dev.lrfinder.data;

import java.util.Random;

/**
 * Mini-batches of a dataset in a reproducible order (every array of the dataset sliced by the
 * same rows). Step {@code s} belongs to epoch
 * {@code e = s / stepsPerEpoch()}; each epoch visits every row once in a permutation drawn by a
 * Fisher-Yates shuffle with {@code new java.util.Random(seed + e)} (or in file order when shuffle is
 * off). The last incomplete batch of an epoch is dropped so every step sees the same batch size.
 *
 * <p>Not thread-safe: it caches the permutation of the current epoch.
 */
public final class Batches implements BatchSource {
  private final Dataset data;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private long cachedEpoch = -1;
  private int[] cachedOrder;

  public Batches(Dataset data, int batchSize, boolean shuffle, long seed) {
    if (batchSize <= 0) {
      throw new DataException("batch size must be positive, got " + batchSize);
    }
    if (data.rows() < batchSize) {
      throw new DataException("the data has " + data.rows() + " rows, fewer than the batch size "
          + batchSize);
    }
    this.data = data;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public long stepsPerEpoch() {
    return data.rows() / batchSize;
  }

  /** Row indices of step {@code step} (0-based), in order. */
  public int[] rowsOf(long step) {
    long epoch = step / stepsPerEpoch();
    int[] order = orderOf(epoch);
    int start = Math.toIntExact((step % stepsPerEpoch()) * batchSize);
    int[] rows = new int[batchSize];
    System.arraycopy(order, start, rows, 0, batchSize);
    return rows;
  }

  /** The rows of the data, of which each epoch uses {@code stepsPerEpoch() * batchSize()}. */
  @Override
  public long rows() {
    return data.rows();
  }

  /** The batch of step {@code step} (0-based). */
  public Batch get(long step) {
    int[] rows = rowsOf(step);
    return data.batch(rows);
  }

  @Override
  public Batch batch(long step) {
    return get(step);
  }

  /**
   * The row indices of steps {@code 0 .. steps-1} as an int32 array {@code [steps, batchSize]},
   * e.g. to save with {@link Npy#write} so another program can replay the same batches.
   */
  public HostArray order(long steps) {
    int[] rows = new int[Math.toIntExact(steps * batchSize)];
    for (int step = 0; step < steps; step++) {
      System.arraycopy(rowsOf(step), 0, rows, step * batchSize, batchSize);
    }
    return HostArray.ofInts(new long[] {steps, batchSize}, rows);
  }

  /** Every row of {@code data} in file order, in batches of at most {@code size} rows. */
  public static java.util.List<Batch> sequential(Dataset data, int size) {
    java.util.List<Batch> batches = new java.util.ArrayList<>();
    int rows = Math.toIntExact(data.rows());
    for (int start = 0; start < rows; start += size) {
      int[] indices = new int[Math.min(size, rows - start)];
      for (int i = 0; i < indices.length; i++) {
        indices[i] = start + i;
      }
      batches.add(data.batch(indices));
    }
    return batches;
  }

  private int[] orderOf(long epoch) {
    if (epoch != cachedEpoch) {
      cachedOrder = permutation(Math.toIntExact(data.rows()), shuffle, seed + epoch);
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }

  /** The identity when {@code shuffle} is false, else a Fisher-Yates shuffle seeded by {@code seed}. */
  static int[] permutation(int n, boolean shuffle, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (shuffle) {
      Random random = new Random(seed);
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
    }
    return order;
  }
}
