package dev.lrfinder.data;

import dev.lrfinder.io.IoErrors;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads the user's data file: an {@code .npz} with {@code x_train}/{@code y_train} (or plain
 * {@code x}/{@code y}) and optionally {@code x_test}/{@code y_test}, or a CSV with a header. Every
 * value must be finite, and the arrays must fit the memory budget together, which is checked from
 * their headers before any is read.
 */
public final class DataFile {
  private DataFile() {}

  /**
   * The training split and held-out test split of a data file.
   *
   * @param test empty when the file has no test split (a CSV never has one)
   */
  public record Splits(Dataset train, Optional<Dataset> test) {}

  /**
   * Loads the training data and, when the file has one, the test split. Only the training split
   * may come from plain {@code x}/{@code y}; a test split that is there must be whole and sound
   * (both arrays, equal rows, finite values), or loading fails.
   */
  public static Splits load(Path file, String labelColumn, MemoryBudget budget) {
    return load(file, labelColumn, budget, Optional.empty());
  }

  /**
   * As {@link #load(Path, String, MemoryBudget)}, and the arrays' headers are checked against
   * the row shapes a model takes before any data is read, so a large file of the wrong shape is
   * refused at once. (A CSV file is small enough to be checked after reading.)
   */
  public static Splits load(Path file, String labelColumn, MemoryBudget budget,
      Optional<RowShapes> expected) {
    if (isCsv(file)) {
      return new Splits(CsvFile.read(file, labelColumn, budget), Optional.empty());
    }
    requireNpz(file);
    try (NpzFile npz = NpzFile.open(file)) {
      String[] train = trainNames(npz, file);
      Optional<String[]> test = splitNames(npz, "test");
      List<String> wanted = new ArrayList<>(List.of(train));
      test.ifPresent(names -> wanted.addAll(List.of(names)));
      checkHeaders(npz, wanted, budget, file, expected);
      return new Splits(dataset(npz, train), test.map(names -> dataset(npz, names)));
    }
  }

  /**
   * One split by name: {@code train} as in {@link #load}, any other split as
   * {@code x_<split>}/{@code y_<split>} (required). A CSV file is returned whatever the split.
   */
  public static Dataset loadSplit(Path file, String split, String labelColumn,
      MemoryBudget budget) {
    if (isCsv(file)) {
      return CsvFile.read(file, labelColumn, budget);
    }
    requireNpz(file);
    try (NpzFile npz = NpzFile.open(file)) {
      String[] names = split.equals("train") ? trainNames(npz, file)
          : splitNames(npz, split).orElseThrow(() -> new DataException("data file '" + file
              + "' has no arrays x_" + split + " and y_" + split + "; it has "
              + String.join(", ", npz.names())));
      checkHeaders(npz, List.of(names), budget, file, Optional.empty());
      return dataset(npz, names);
    }
  }

  /** The NaN or infinity of {@code array} that comes first, as a DataException; none: nothing. */
  static void requireFinite(HostArray array, ArrayName name) {
    long bad = array.firstNonFinite();
    if (bad >= 0) {
      throw new DataException(name.element(array.indexOf(bad)) + " is "
          + Numbers.plain(array.getDouble(bad)) + "; lrfinder trains on finite numbers only");
    }
  }

  /**
   * Throws a one-line DataException unless {@code file} is a readable, non-empty regular file:
   * missing, a directory, unreadable and empty each have their own sentence.
   */
  static void requireReadableFile(Path file) {
    if (Files.isDirectory(file)) {
      throw new DataException("data file '" + file + "' is a directory, not a file");
    }
    if (!Files.exists(file)) {
      throw new DataException("data file '" + file + "' does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new DataException("data file '" + file + "' is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new DataException("data file '" + file + "' cannot be read: permission denied");
    }
    try {
      if (Files.size(file) == 0) {
        throw new DataException("data file '" + file + "' is empty");
      }
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
  }

  /** An I/O failure in words: the file and the cause, without exception class names. */
  static DataException cannotRead(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new DataException("data file '" + file + "' does not exist");
    }
    if (e instanceof AccessDeniedException) {
      return new DataException("data file '" + file + "' cannot be read: permission denied");
    }
    return new DataException("cannot read data file '" + file + "': " + IoErrors.reason(e), e);
  }

  private static boolean isCsv(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
  }

  private static void requireNpz(Path file) {
    if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
      throw new DataException("data file '" + file + "' must be .npz or .csv");
    }
  }

  /** {@code x_train}/{@code y_train}, else plain {@code x}/{@code y}. */
  private static String[] trainNames(NpzFile npz, Path file) {
    Optional<String[]> train = splitNames(npz, "train");
    if (train.isPresent()) {
      return train.get();
    }
    if (npz.has("x") || npz.has("y")) {
      return pair(npz, "x", "y");
    }
    throw new DataException("data file '" + file + "' needs arrays x_train and y_train (or x and"
        + " y); it has " + String.join(", ", npz.names()));
  }

  /** {@code x_<split>}/{@code y_<split>}: empty when neither is there, an error when one is. */
  private static Optional<String[]> splitNames(NpzFile npz, String split) {
    String x = "x_" + split;
    String y = "y_" + split;
    if (!npz.has(x) && !npz.has(y)) {
      return Optional.empty();
    }
    return Optional.of(pair(npz, x, y));
  }

  private static String[] pair(NpzFile npz, String x, String y) {
    if (!npz.has(x) || !npz.has(y)) {
      String there = npz.has(x) ? x : y;
      String missing = npz.has(x) ? y : x;
      throw new DataException(npz.nameOf(there).whole() + " has no partner " + missing
          + " (features and labels come in pairs); the file has " + String.join(", ", npz.names()));
    }
    return new String[] {x, y};
  }

  /**
   * Checks what the headers of the arrays {@code names} (x, y pairs) declare before any data is
   * read: the row shapes a model takes (when {@code expected} is given), the same rows in each
   * pair, and room for all of them in the budget.
   */
  private static void checkHeaders(NpzFile npz, List<String> names, MemoryBudget budget,
      Path file, Optional<RowShapes> expected) {
    long bytes = 0;
    for (int i = 0; i < names.size(); i += 2) {
      Npy.Header x = npz.header(names.get(i));
      Npy.Header y = npz.header(names.get(i + 1));
      long[] xShape = x.shape();
      long[] yShape = y.shape();
      if (expected.isPresent()) {
        Dataset.checkRowShape(npz.nameOf(names.get(i)), xShape, expected.get().features(), "");
        Dataset.checkRowShape(npz.nameOf(names.get(i + 1)), yShape, expected.get().labels(),
            expected.get().labelNote());
      }
      if (xShape.length > 0 && yShape.length > 0 && xShape[0] != yShape[0]) {
        throw new DataException("the rows of features and labels differ: " + xShape[0] + " in "
            + npz.nameOf(names.get(i)).whole() + ", " + yShape[0] + " in "
            + npz.nameOf(names.get(i + 1)).whole());
      }
      bytes += x.dataBytes() + y.dataBytes();
    }
    budget.require(bytes, "loading " + String.join(", ", names) + " of '" + file + "'");
  }

  private static Dataset dataset(NpzFile npz, String[] names) {
    HostArray x = npz.read(names[0]);
    requireFinite(x, npz.nameOf(names[0]));
    HostArray y = npz.read(names[1]);
    requireFinite(y, npz.nameOf(names[1]));
    return new Dataset(x, y, npz.nameOf(names[0]), npz.nameOf(names[1]));
  }
}
