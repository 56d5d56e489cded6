package dev.lrfinder.data;

import java.util.Arrays;
import java.util.List;

/**
 * What a model takes, for loading and checking data before training: one slot per input and one
 * per output, in signature order. Data files are matched to slots by key (see docs/data.md).
 */
public record DataLayout(List<Slot> inputs, List<Slot> outputs) {
  /** Which labels a loss takes, for one-hot/class-id conversion. */
  public enum LabelForm {
    /** anything of the label's shape (inputs, regression, binary crossentropy) */
    VALUES,
    /** integer class ids, one per sample (sparse categorical crossentropy) */
    CLASS_IDS,
    /** one-hot rows of class probabilities (categorical crossentropy) */
    ONE_HOT
  }

  /**
   * One input or output label.
   *
   * @param key the Keras input or output name
   * @param dtype the type the model takes
   * @param rowShape the shape of one sample, without the batch dimension ({@code -1}: any size)
   * @param form which labels the loss takes ({@link LabelForm#VALUES} for inputs)
   * @param classes the number of classes of a classification output, -1 when unknown
   * @param note what the labels must be, in words; ends a label shape error (may be empty)
   */
  public record Slot(String key, DType dtype, long[] rowShape, LabelForm form, long classes,
      String note) {
    public Slot {
      rowShape = rowShape.clone();
    }

    /** An input (or a label whose values are not restricted). */
    public static Slot input(String key, DType dtype, long[] rowShape) {
      return new Slot(key, dtype, rowShape, LabelForm.VALUES, -1, "");
    }

    @Override
    public long[] rowShape() {
      return rowShape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slot s && s.key.equals(key) && s.dtype == dtype
          && Arrays.equals(s.rowShape, rowShape) && s.form == form && s.classes == classes
          && s.note.equals(note);
    }

    @Override
    public int hashCode() {
      return key.hashCode() * 31 + Arrays.hashCode(rowShape);
    }
  }

  public DataLayout {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalArgumentException("a layout needs an input and an output");
    }
  }

  /** Whether the model has one input and one output (plain {@code x_train}/{@code y_train}). */
  public boolean isSingle() {
    return inputs.size() == 1 && outputs.size() == 1;
  }
}
