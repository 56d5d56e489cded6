package dev.lrfinder.rangetest;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.NamedArray;
import java.util.List;

/**
 * The data a {@link Verification} trains on and the held-out data it ranks by, and where the
 * latter comes from in words.
 *
 * @param train the rows to train on
 * @param heldOut rows never trained on
 * @param description e.g. {@code "the test split (x_test/y_test), all 1000 rows"}
 */
public record HeldOut(Dataset train, Dataset heldOut, String description) {
  /** The fraction of the training rows held out when the data has no test split (Keras's 0.2). */
  public static final double VALIDATION_FRACTION = 0.2;

  /** Train on {@code train}, rank on the test split {@code test}. */
  public static HeldOut testSplit(Dataset train, Dataset test) {
    return new HeldOut(train, test, "the test split (x_test/y_test), all " + test.rows()
        + " rows");
  }

  /**
   * Without a test split: the last {@link #VALIDATION_FRACTION} of the training rows (in file
   * order, as Keras's {@code validation_split} takes them) are held out, and the verification
   * trains on the rest, with the config's seeded order of those rows.
   *
   * @throws IllegalArgumentException when fewer than 2 rows leave nothing on one side
   */
  public static HeldOut validationSplit(Dataset train) {
    int rows = Math.toIntExact(train.rows());
    int held = (int) Math.floor(rows * VALIDATION_FRACTION);
    if (held < 1 || rows - held < 1) {
      throw new IllegalArgumentException("the training data has " + rows + " rows, too few to"
          + " hold out a validation split of " + VALIDATION_FRACTION);
    }
    return new HeldOut(rows(train, 0, rows - held), rows(train, rows - held, rows),
        "a validation split of the training data (no x_test/y_test): the last " + held + " of "
            + rows + " rows held out, the verification trained on the first " + (rows - held));
  }

  private static Dataset rows(Dataset data, int from, int to) {
    int[] indices = new int[to - from];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = from + i;
    }
    return new Dataset(gather(data.inputs(), indices), gather(data.labels(), indices));
  }

  private static List<NamedArray> gather(List<NamedArray> arrays, int[] indices) {
    return arrays.stream().map(a -> new NamedArray(a.key(), a.array().gatherRows(indices),
        a.name())).toList();
  }
}
