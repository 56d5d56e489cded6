package dev.lrfinder.data;

import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * How messages name an array of the user's data and one element of it: an {@code .npz} array by
 * its key and index ({@code x_train[12, 3] in 'data.npz'}), a CSV value by its line and column
 * ({@code line 14 column 'x2' of 'data.csv'}), or an in-memory array by a plain noun.
 */
public sealed interface ArrayName {
  /** The whole array, e.g. {@code x_train in 'data.npz'}. */
  String whole();

  /** The element at {@code index} (row first), e.g. {@code x_train[12, 3] in 'data.npz'}. */
  String element(long[] index);

  /** An array of an {@code .npz} (or {@code .npy}) file, named by its key. */
  static ArrayName npz(Path file, String key) {
    return new Keyed(key, " in '" + file + "'");
  }

  /** An array built in memory, named by {@code noun} alone (e.g. {@code labels}). */
  static ArrayName plain(String noun) {
    return new Keyed(noun, "");
  }

  /**
   * Columns of a CSV file: {@code columns} are the array's column names (one for a label
   * column) and {@code lines} the line number of every row.
   */
  static ArrayName csv(Path file, List<String> columns, IntBuffer lines) {
    return new CsvColumns(file, columns, lines);
  }

  /** An array named by a key or noun, with {@code where} appended ({@code " in 'data.npz'"}). */
  record Keyed(String key, String where) implements ArrayName {
    @Override
    public String whole() {
      return key + where;
    }

    @Override
    public String element(long[] index) {
      return key + Arrays.toString(index) + where;
    }
  }

  /** Columns of a CSV; {@code lines} is a read-only view, one line number per data row. */
  record CsvColumns(Path file, List<String> columns, IntBuffer lines) implements ArrayName {
    public CsvColumns {
      columns = List.copyOf(columns);
      lines = lines.asReadOnlyBuffer();
    }

    @Override
    public String whole() {
      return columns.size() == 1 ? "column '" + columns.get(0) + "' of '" + file + "'"
          : "the feature columns of '" + file + "'";
    }

    @Override
    public String element(long[] index) {
      int column = index.length > 1 ? Math.toIntExact(index[1]) : 0;
      return "line " + lines.get(Math.toIntExact(index[0])) + " column '" + columns.get(column)
          + "' of '" + file + "'";
    }
  }
}
