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
 * Loads the user's data file (see docs/data.md): an {@code .npz} with {@code x_train}/{@code
 * y_train} (or plain {@code x}/{@code y}) and optionally {@code x_test}/{@code y_test}, or one
 * array per model input {@code x_<key>} and per output {@code y_<key>}; or a CSV with a header.
 * Every number must be finite, and the arrays must fit the memory budget together, which is
 * checked from their headers before any is read.
 */
public final class DataFile {
  private DataFile() {}

  /**
   * The training split and held-out test split of a data file.
   *
   * @param test empty when the file has no test split (a CSV never has one)
   * @param notes what the user should know about the file, one line each (e.g. CSV columns no
   *     input or output uses)
   */
  public record Splits(Dataset train, Optional<Dataset> test, List<String> notes) {
    public Splits {
      notes = List.copyOf(notes);
    }

    public Splits(Dataset train, Optional<Dataset> test) {
      this(train, test, List.of());
    }
  }

  /**
   * Loads the training data and, when the file has one, the test split, as one input {@code x}
   * and one label array {@code y}. Only the training split may come from plain {@code x}/{@code
   * y}; a test split that is there must be whole and sound (both arrays, equal rows, finite
   * values), or loading fails.
   */
  public static Splits load(Path file, String labelColumn, MemoryBudget budget) {
    return load(file, Optional.empty(), labelColumn, budget);
  }

  /**
   * As {@link #load(Path, String, MemoryBudget)}, for the model {@code layout} describes: its
   * arrays are found by the keys of its inputs and outputs and their headers checked against
   * its row shapes (allowing the fits of {@link ShapeFit}) before any data is read, so a large
   * file of the wrong shape is refused at once. (A CSV file is small enough to be checked after
   * reading.) The arrays come in the layout's order, keyed by its keys.
   */
  public static Splits load(Path file, DataLayout layout, String labelColumn,
      MemoryBudget budget) {
    return load(file, Optional.of(layout), labelColumn, budget);
  }

  private static Splits load(Path file, Optional<DataLayout> layout, String labelColumn,
      MemoryBudget budget) {
    if (isCsv(file)) {
      CsvFile.Table table = CsvFile.read(file, layout, labelColumn, budget);
      List<String> notes = table.unusedColumns().isEmpty() ? List.of()
          : List.of("CSV '" + file + "' has columns no input or output of the model uses,"
              + " ignored: " + String.join(", ", table.unusedColumns()));
      return new Splits(table.data(), Optional.empty(), notes);
    }
    requireNpz(file);
    try (NpzFile npz = NpzFile.open(file)) {
      Names train = names(npz, file, "train", layout)
          .orElseThrow(() -> missingTrain(npz, file, layout));
      Optional<Names> test = names(npz, file, "test", layout);
      checkHeaders(npz, train, budget, file, layout, test);
      return new Splits(dataset(npz, train), test.map(names -> dataset(npz, names)));
    }
  }

  /**
   * One split by name, as one input {@code x} and one label array {@code y}: {@code train} as in
   * {@link #load}, any other split as {@code x_<split>}/{@code y_<split>} (required). A CSV file
   * is returned whatever the split.
   */
  public static Dataset loadSplit(Path file, String split, String labelColumn,
      MemoryBudget budget) {
    if (isCsv(file)) {
      return CsvFile.read(file, labelColumn, budget);
    }
    requireNpz(file);
    try (NpzFile npz = NpzFile.open(file)) {
      Names names = split.equals("train")
          ? names(npz, file, split, Optional.empty()).orElseThrow(
              () -> missingTrain(npz, file, Optional.empty()))
          : names(npz, file, split, Optional.empty()).orElseThrow(() -> new DataException(
              "data file '" + file + "' has no arrays x_" + split + " and y_" + split
                  + "; it has " + String.join(", ", npz.names())));
      checkHeaders(npz, names, budget, file, Optional.empty(), Optional.empty());
      return dataset(npz, names);
    }
  }

  /**
   * The arrays of one split, inputs first: for each input and output its key and its array's
   * name in the file; the first {@code inputCount} are the inputs.
   */
  private record Names(List<String> keys, List<String> arrays, int inputCount) {}

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

  /**
   * The arrays of {@code split}: empty when none of them is in the file, an error when some are.
   * One input and one output: {@code x_<split>}/{@code y_<split>} (train also plain {@code x}/
   * {@code y}), else by key as for several. Several: {@code x_<key>} and {@code y_<key>} (train;
   * also {@code x_<key>_train}), {@code x_<key>_<split>} for another split; the key as the model
   * names it, else sanitized.
   */
  private static Optional<Names> names(NpzFile npz, Path file, String split,
      Optional<DataLayout> layout) {
    boolean single = layout.map(DataLayout::isSingle).orElse(true);
    if (single) {
      Optional<String[]> pair = pair(npz, "x_" + split, "y_" + split);
      if (pair.isEmpty() && split.equals("train")) {
        pair = pair(npz, "x", "y");
      }
      if (pair.isPresent() || layout.isEmpty()) {
        List<String> keys = layout.map(l -> List.of(l.inputs().get(0).key(),
            l.outputs().get(0).key())).orElse(List.of("x", "y"));
        return pair.map(p -> new Names(keys, List.of(p), 1));
      }
    }
    DataLayout model = layout.get();
    List<String> keys = new ArrayList<>();
    List<String> arrays = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    boolean oneInput = model.inputs().size() == 1;
    boolean oneOutput = model.outputs().size() == 1;
    for (DataLayout.Slot slot : model.inputs()) {
      keys.add(slot.key());
      find(npz, "x", slot.key(), split, oneInput).ifPresentOrElse(arrays::add,
          () -> missing.add(wanted("x", slot.key(), split, oneInput) + " for input '" + slot.key() + "'"));
    }
    for (DataLayout.Slot slot : model.outputs()) {
      keys.add(slot.key());
      find(npz, "y", slot.key(), split, oneOutput).ifPresentOrElse(arrays::add,
          () -> missing.add(wanted("y", slot.key(), split, oneOutput) + " for output '" + slot.key()
              + "'"));
    }
    if (arrays.isEmpty()) {
      return Optional.empty();
    }
    if (!missing.isEmpty()) {
      throw new DataException("data file '" + file + "' has no array " + String.join(", no ",
          missing) + " (" + split + " split); it has " + String.join(", ", npz.names()));
    }
    return Optional.of(new Names(keys, arrays, model.inputs().size()));
  }

  /**
   * The array of key {@code key} for {@code split}: exact key first, then sanitized; for the only
   * input or output of its kind also the plain {@code x_<split>} (train: {@code x}).
   */
  private static Optional<String> find(NpzFile npz, String prefix, String key, String split,
      boolean only) {
    List<String> candidates = new ArrayList<>();
    for (String k : List.of(key, sanitize(key))) {
      if (split.equals("train")) {
        candidates.add(prefix + "_" + k);
      }
      candidates.add(prefix + "_" + k + "_" + split);
    }
    if (only) {
      candidates.add(prefix + "_" + split);
      if (split.equals("train")) {
        candidates.add(prefix);
      }
    }
    return candidates.stream().filter(npz::has).findFirst();
  }

  private static String wanted(String prefix, String key, String split, boolean only) {
    String named = prefix + "_" + key;
    return split.equals("train")
        ? named + " (or " + named + "_train" + (only ? ", " + prefix + "_train" : "") + ")"
        : named + "_" + split + (only ? " (or " + prefix + "_" + split + ")" : "");
  }

  /**
   * Lower case, every character outside {@code [a-z0-9_]} as {@code _}: contract v2's rule, as
   * {@code ModelContract.sanitize} (which this package cannot see) applies it to signature names.
   */
  static String sanitize(String key) {
    return key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  private static DataException missingTrain(NpzFile npz, Path file, Optional<DataLayout> layout) {
    if (layout.isPresent() && !layout.get().isSingle()) {
      List<String> wanted = new ArrayList<>();
      layout.get().inputs().forEach(s -> wanted.add("x_" + s.key()));
      layout.get().outputs().forEach(s -> wanted.add("y_" + s.key()));
      return new DataException("data file '" + file + "' needs one array per input and output of"
          + " the model: " + String.join(", ", wanted) + "; it has "
          + String.join(", ", npz.names()));
    }
    return new DataException("data file '" + file + "' needs arrays x_train and y_train (or x and"
        + " y); it has " + String.join(", ", npz.names()));
  }

  /** {@code x}/{@code y}: empty when neither is there, an error when only one is. */
  private static Optional<String[]> pair(NpzFile npz, String x, String y) {
    if (!npz.has(x) && !npz.has(y)) {
      return Optional.empty();
    }
    if (!npz.has(x) || !npz.has(y)) {
      String there = npz.has(x) ? x : y;
      String missing = npz.has(x) ? y : x;
      throw new DataException(npz.nameOf(there).whole() + " has no partner " + missing
          + " (features and labels come in pairs); the file has " + String.join(", ", npz.names()));
    }
    return Optional.of(new String[] {x, y});
  }

  /**
   * Checks what the headers of the arrays of the train and test splits declare before any data
   * is read: the row shapes the model takes (when there is a layout), the same rows in every
   * array of a split, and room for all of them in the budget.
   */
  private static void checkHeaders(NpzFile npz, Names train, MemoryBudget budget, Path file,
      Optional<DataLayout> layout, Optional<Names> test) {
    long bytes = 0;
    List<String> all = new ArrayList<>();
    for (Names split : test.isPresent() ? List.of(train, test.get()) : List.of(train)) {
      long[] first = null;
      String firstName = null;
      for (int i = 0; i < split.arrays().size(); i++) {
        String name = split.arrays().get(i);
        Npy.Header header = npz.header(name);
        long[] shape = header.shape();
        if (layout.isPresent()) {
          DataLayout.Slot slot = i < split.inputCount()
              ? layout.get().inputs().get(i) : layout.get().outputs().get(i - split.inputCount());
          if (!ShapeFit.accepts(shape, slot)) {
            throw Dataset.shapeError(npz.nameOf(name), shape, slot.rowShape(), slot.note());
          }
        }
        if (first == null) {
          first = shape;
          firstName = name;
        } else if (first.length > 0 && shape.length > 0 && first[0] != shape[0]) {
          boolean pair = split.arrays().size() == 2;
          throw new DataException("the rows of " + (pair ? "features and labels" : "the arrays")
              + " differ: " + first[0] + " in " + npz.nameOf(firstName).whole() + ", "
              + shape[0] + " in " + npz.nameOf(name).whole());
        }
        bytes += header.dataBytes();
        all.add(name);
      }
    }
    budget.require(bytes, "loading " + String.join(", ", all) + " of '" + file + "'");
  }

  private static Dataset dataset(NpzFile npz, Names names) {
    List<NamedArray> inputs = new ArrayList<>();
    List<NamedArray> labels = new ArrayList<>();
    for (int i = 0; i < names.arrays().size(); i++) {
      String name = names.arrays().get(i);
      HostArray array = npz.read(name);
      requireFinite(array, npz.nameOf(name));
      NamedArray named = new NamedArray(names.keys().get(i), array, npz.nameOf(name));
      (i < names.inputCount() ? inputs : labels).add(named);
    }
    return new Dataset(inputs, labels);
  }
}
