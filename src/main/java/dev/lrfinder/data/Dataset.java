package dev.lrfinder.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Features {@code x} and labels {@code y} with the same number of rows, and how messages name
 * them ({@code x_train in 'data.npz'}, a CSV's columns, or plain {@code features}/{@code labels}).
 */
public record Dataset(HostArray x, HostArray y, ArrayName xName, ArrayName yName) {
  public Dataset {
    if (x.rank() == 0 || y.rank() == 0) {
      throw new DataException("features and labels need a row dimension; got " + xName.whole()
          + " " + x + ", " + yName.whole() + " " + y);
    }
    if (x.rows() != y.rows()) {
      throw new DataException("the rows of features and labels differ: " + x.rows() + " in "
          + xName.whole() + ", " + y.rows() + " in " + yName.whole());
    }
    if (x.rows() == 0) {
      throw new DataException("the data has no rows (" + xName.whole() + ")");
    }
  }

  /** Arrays built in memory, named {@code features} and {@code labels} in messages. */
  public Dataset(HostArray x, HostArray y) {
    this(x, y, ArrayName.plain("features"), ArrayName.plain("labels"));
  }

  public long rows() {
    return x.rows();
  }

  /**
   * Loads one split of a data file (see {@link DataFile}): {@code train} falls back to plain
   * {@code x}/{@code y}, any other split must be in the file as {@code x_<split>}/{@code y_<split>}.
   * A CSV file is one table, whatever the split.
   */
  public static Dataset load(Path file, String split, String labelColumn) {
    return DataFile.loadSplit(file, split, labelColumn, MemoryBudget.heap());
  }

  /**
   * Throws a DataException unless each row of the features has shape {@code xRowShape} and each
   * row of the labels {@code yRowShape} ({@code -1} matches any size); {@code labelNote}, when
   * not empty, says what the labels should be and ends a label shape error.
   */
  public void requireRowShapes(long[] xRowShape, long[] yRowShape, String labelNote) {
    checkRowShape(xName, x, xRowShape, "");
    checkRowShape(yName, y, yRowShape, labelNote);
  }

  /**
   * This data converted to the model's input and label types, checked against their shapes
   * without the batch dimension ({@code -1} matches any size).
   */
  public Dataset conformTo(DType xType, long[] xRowShape, DType yType, long[] yRowShape) {
    requireRowShapes(xRowShape, yRowShape, "");
    long copies = (x.dtype() == xType ? 0 : x.elementCount() * xType.byteSize())
        + (y.dtype() == yType ? 0 : y.elementCount() * yType.byteSize());
    MemoryBudget.heap().require(copies,
        "converting " + xName.whole() + " and " + yName.whole() + " to the model's types");
    return new Dataset(x.convertTo(xType, xName), y.convertTo(yType, yName), xName, yName);
  }

  private static void checkRowShape(ArrayName name, HostArray array, long[] expected,
      String note) {
    checkRowShape(name, array.shape(), expected, note);
  }

  /** The shape error of an array of {@code shape}, also used on headers before reading. */
  static void checkRowShape(ArrayName name, long[] shape, long[] expected, String note) {
    if (!HostArray.rowShapeFits(shape, expected)) {
      throw new DataException("shape " + Arrays.toString(shape) + " of " + name.whole()
          + " does not fit the model, which expects [batch" + (expected.length == 0 ? "" : ", ")
          + Arrays.toString(expected).replaceAll("[\\[\\]]", "").replace("-1", "?") + "]"
          + (note.isEmpty() ? "" : "; " + note));
    }
  }
}
