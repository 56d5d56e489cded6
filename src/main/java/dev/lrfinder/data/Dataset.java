package dev.lrfinder.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Features {@code x} and labels {@code y} with the same number of rows. */
public record Dataset(HostArray x, HostArray y) {
  public Dataset {
    if (x.rank() == 0 || y.rank() == 0) {
      throw new DataException("features and labels need a row dimension; got x " + x + ", y " + y);
    }
    if (x.rows() != y.rows()) {
      throw new DataException("features have " + x.rows() + " rows but labels have " + y.rows());
    }
    if (x.rows() == 0) {
      throw new DataException("the data has no rows");
    }
  }

  public long rows() {
    return x.rows();
  }

  /**
   * Loads a data file: {@code .npz} with arrays {@code x_<split>}/{@code y_<split>} (or {@code x}/{@code
   * y}), or a CSV with a header whose {@code labelColumn} holds the labels.
   */
  public static Dataset load(Path file, String split, String labelColumn) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (name.endsWith(".csv")) {
      return CsvFile.read(file, labelColumn);
    }
    if (!name.endsWith(".npz")) {
      throw new DataException("data file '" + file + "' must be .npz or .csv");
    }
    Map<String, HostArray> arrays = NpzFile.read(file);
    for (String[] names : new String[][] {{"x_" + split, "y_" + split}, {"x", "y"}}) {
      if (arrays.containsKey(names[0]) && arrays.containsKey(names[1])) {
        return new Dataset(arrays.get(names[0]), arrays.get(names[1]));
      }
    }
    throw new DataException("data file '" + file + "' needs arrays x_" + split + " and y_" + split
        + " (or x and y); it has " + String.join(", ", arrays.keySet()));
  }

  /**
   * This data converted to the model's input and label types, checked against their shapes
   * without the batch dimension ({@code -1} matches any size).
   */
  public Dataset conformTo(DType xType, long[] xRowShape, DType yType, long[] yRowShape) {
    checkRowShape("features", x, xRowShape);
    checkRowShape("labels", y, yRowShape);
    return new Dataset(x.convertTo(xType, "features"), y.convertTo(yType, "labels"));
  }

  private static void checkRowShape(String what, HostArray array, long[] expected) {
    if (!array.rowShapeFits(expected)) {
      throw new DataException(what + " have shape " + Arrays.toString(array.shape())
          + " but the model expects [batch" + (expected.length == 0 ? "" : ", ")
          + Arrays.toString(expected).replaceAll("[\\[\\]]", "").replace("-1", "?") + "]");
    }
  }
}
