package dev.lrfinder.rangetest;

import dev.lrfinder.data.Dataset;

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
    Dataset.Split split = train.validationSplit(VALIDATION_FRACTION);
    long rows = train.rows();
    long held = split.validation().rows();
    return new HeldOut(split.train(), split.validation(),
        "a validation split of the training data (no x_test/y_test): the last " + held + " of "
            + rows + " rows held out, the verification trained on the first " + (rows - held));
  }
}
