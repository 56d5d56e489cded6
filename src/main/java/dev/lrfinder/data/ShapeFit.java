package dev.lrfinder.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Fits an array to a model slot's row shape where the fit is unambiguous: {@code [N]} for rows
 * of {@code [1]} (and {@code [N, 1]} for scalar rows), one-hot rows {@code [N, C]} to class ids
 * for a sparse loss, and class ids {@code [N]} to one-hot rows of {@code C} for a categorical one.
 * Anything else is refused with a sentence saying what the model expects.
 */
final class ShapeFit {
  private ShapeFit() {}

  /**
   * Whether an array of {@code shape} (row first) can be fitted to {@code slot}, from its shape
   * alone, so a file's headers can be checked before its data is read.
   */
  static boolean accepts(long[] shape, DataLayout.Slot slot) {
    long[] want = slot.rowShape();
    if (HostArray.rowShapeFits(shape, want) || reshapes(shape, want) != null) {
      return true;
    }
    return switch (slot.form()) {
      case VALUES -> false;
      case CLASS_IDS -> isClassIdShape(want) && shape.length == 2 && shape[1] > 1
          && (slot.classes() < 0 || shape[1] == slot.classes());
      case ONE_HOT -> isOneHotShape(want) && (shape.length == 1
          || (shape.length == 2 && shape[1] == 1)) && want[0] > 1;
    };
  }

  /** {@code array} fitted to {@code slot} (itself when it already fits). */
  static HostArray fit(HostArray array, ArrayName name, DataLayout.Slot slot) {
    long[] shape = array.shape();
    long[] want = slot.rowShape();
    if (HostArray.rowShapeFits(shape, want)) {
      return array;
    }
    long[] reshaped = reshapes(shape, want);
    if (reshaped != null) {
      return array.reshape(reshaped);
    }
    if (!accepts(shape, slot)) {
      throw Dataset.shapeError(name, shape, want, slot.note());
    }
    return slot.form() == DataLayout.LabelForm.CLASS_IDS
        ? toClassIds(array, name, slot) : toOneHot(array, name, slot);
  }

  /** {@code [N]} to {@code [N, 1]} or {@code [N, 1]} to {@code [N]} where that fits, else null. */
  private static long[] reshapes(long[] shape, long[] want) {
    if (shape.length == 1 && want.length == 1 && want[0] == 1) {
      return new long[] {shape[0], 1};
    }
    if (shape.length == 2 && shape[1] == 1 && want.length == 0) {
      return new long[] {shape[0]};
    }
    return null;
  }

  private static boolean isClassIdShape(long[] want) {
    return want.length == 0 || (want.length == 1 && want[0] == 1);
  }

  private static boolean isOneHotShape(long[] want) {
    return want.length == 1 && want[0] > 0;
  }

  /** One-hot rows to int64 class ids: exactly one 1 and zeros elsewhere in every row. */
  private static HostArray toClassIds(HostArray array, ArrayName name, DataLayout.Slot slot) {
    if (array.dtype().isString()) {
      throw Dataset.shapeError(name, array.shape(), slot.rowShape(), slot.note());
    }
    int rows = Math.toIntExact(array.rows());
    int classes = Math.toIntExact(array.shape()[1]);
    ByteBuffer ids = ByteBuffer.allocate(rows * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < rows; r++) {
      int hot = -1;
      for (int c = 0; c < classes; c++) {
        double v = array.getDouble((long) r * classes + c);
        if (v == 1 && hot < 0) {
          hot = c;
        } else if (v != 0) {
          hot = -2;
          break;
        }
      }
      if (hot < 0) {
        throw new DataException("row " + r + " of " + name.whole() + " is not one-hot (one 1,"
            + " zeros elsewhere), so its " + classes + " columns cannot be read as a class id; "
            + slot.note() + ": give one class id per row, shape [" + rows + "]");
      }
      ids.putLong(hot);
    }
    long[] shape = slot.rowShape().length == 0 ? new long[] {rows} : new long[] {rows, 1};
    return HostArray.of(DType.INT64, shape, ids.array());
  }

  /** Class ids {@code [N]} or {@code [N, 1]} to float32 one-hot rows of the slot's classes. */
  private static HostArray toOneHot(HostArray array, ArrayName name, DataLayout.Slot slot) {
    if (array.dtype().isString()) {
      throw Dataset.shapeError(name, array.shape(), slot.rowShape(), slot.note());
    }
    int rows = Math.toIntExact(array.rows());
    int classes = Math.toIntExact(slot.rowShape()[0]);
    MemoryBudget.heap().require((long) rows * classes * 4, "turning the class ids of "
        + name.whole() + " into one-hot rows");
    float[] hot = new float[Math.multiplyExact(rows, classes)];
    for (int r = 0; r < rows; r++) {
      double v = array.getDouble(r);
      if (v != Math.rint(v) || v < 0 || v >= classes) {
        throw new DataException(name.element(array.indexOf(r)) + " is " + Numbers.plain(v)
            + ", which is no class id 0 to " + (classes - 1) + ", and a label of shape "
            + Arrays.toString(array.shape()) + " can only be class ids; " + slot.note());
      }
      hot[r * classes + (int) v] = 1;
    }
    return HostArray.ofFloats(new long[] {rows, classes}, hot);
  }
}
