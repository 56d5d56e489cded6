package dev.lrfinder.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The arrays of a model's data: one per input and one label array per output, all with the same
 * number of rows, each with the key of the input or output it feeds and how messages name it
 ({@code x_train in 'data.npz'}, a CSV's columns, or plain {@code features}/{@code labels}).
 * Data loaded for a model lists its arrays in the model's signature order.
 */
public record Dataset(List<NamedArray> inputs, List<NamedArray> labels) {
  public Dataset {
    inputs = List.copyOf(inputs);
    labels = List.copyOf(labels);
    if (inputs.isEmpty() || labels.isEmpty()) {
      throw new IllegalArgumentException("a dataset needs an input and a label array");
    }
    NamedArray first = inputs.get(0);
    List<NamedArray> all = new ArrayList<>(inputs);
    all.addAll(labels);
    if (all.stream().anyMatch(a -> a.array().rank() == 0)) {
      throw new DataException("features and labels need a row dimension; got " + String.join(
          ", ", all.stream().map(a -> a.name().whole() + " " + a.array()).toList()));
    }
    for (NamedArray a : all) {
      if (a.array().rows() != first.array().rows()) {
        throw new DataException("the rows of " + (labels.contains(a) && inputs.size() == 1
            ? "features and labels" : "the arrays") + " differ: " + first.array().rows()
            + " in " + first.name().whole() + ", " + a.array().rows() + " in " + a.name().whole());
      }
    }
    if (first.array().rows() == 0) {
      throw new DataException("the data has no rows (" + first.name().whole() + ")");
    }
  }

  /** One input {@code x} and one label array {@code y}, named by {@code xName}, {@code yName}. */
  public Dataset(HostArray x, HostArray y, ArrayName xName, ArrayName yName) {
    this(List.of(new NamedArray("x", x, xName)), List.of(new NamedArray("y", y, yName)));
  }

  /** Arrays built in memory, named {@code features} and {@code labels} in messages. */
  public Dataset(HostArray x, HostArray y) {
    this(x, y, ArrayName.plain("features"), ArrayName.plain("labels"));
  }

  public long rows() {
    return inputs.get(0).array().rows();
  }

  /** The input array of data with one input. */
  public HostArray x() {
    return single(inputs, "inputs").array();
  }

  /** The label array of data with one output. */
  public HostArray y() {
    return single(labels, "label arrays").array();
  }

  public ArrayName xName() {
    return single(inputs, "inputs").name();
  }

  public ArrayName yName() {
    return single(labels, "label arrays").name();
  }

  /** The batch of rows {@code rows} (in that order) of every array. */
  public Batch batch(int[] rows) {
    return new Batch(inputs.stream().map(a -> a.array().gatherRows(rows)).toList(),
        labels.stream().map(a -> a.array().gatherRows(rows)).toList());
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
    checkRowShape(xName(), x().shape(), xRowShape, "");
    checkRowShape(yName(), y().shape(), yRowShape, labelNote);
  }

  /**
   * This data of one input and one output converted to the model's input and label types,
   * checked against their shapes without the batch dimension ({@code -1} matches any size).
   */
  public Dataset conformTo(DType xType, long[] xRowShape, DType yType, long[] yRowShape) {
    requireRowShapes(xRowShape, yRowShape, "");
    String key = inputs.get(0).key();
    String label = labels.get(0).key();
    return convertTypes(new DataLayout(List.of(DataLayout.Slot.input(key, xType, xRowShape)),
        List.of(DataLayout.Slot.input(label, yType, yRowShape))));
  }

  /**
   * This data matched to the model's slots and reshaped to their row shapes (see
   * {@link ShapeFit}): arrays in the layout's order and keyed by its keys. Data of one input
   * and one output fits a model of one of each whatever its keys; otherwise each slot needs the
   * array of its key.
   *
   * @throws DataException naming the array and what the model expects
   */
  public Dataset fitShapes(DataLayout layout) {
    boolean byPosition = layout.isSingle() && inputs.size() == 1 && labels.size() == 1;
    List<NamedArray> in = new ArrayList<>();
    for (int i = 0; i < layout.inputs().size(); i++) {
      DataLayout.Slot slot = layout.inputs().get(i);
      NamedArray a = byPosition ? inputs.get(0) : find(inputs, slot.key(), "input");
      in.add(new NamedArray(slot.key(), ShapeFit.fit(a.array(), a.name(), slot), a.name()));
    }
    List<NamedArray> out = new ArrayList<>();
    for (int i = 0; i < layout.outputs().size(); i++) {
      DataLayout.Slot slot = layout.outputs().get(i);
      NamedArray a = byPosition ? labels.get(0) : find(labels, slot.key(), "output");
      out.add(new NamedArray(slot.key(), ShapeFit.fit(a.array(), a.name(), slot), a.name()));
    }
    return new Dataset(in, out);
  }

  /**
   * This data, already fitted to {@code layout}'s shapes, converted to its types; the copies are
   * checked against the heap first.
   */
  public Dataset convertTypes(DataLayout layout) {
    long copies = 0;
    for (int i = 0; i < inputs.size(); i++) {
      copies += copyBytes(inputs.get(i).array(), layout.inputs().get(i).dtype());
    }
    for (int i = 0; i < labels.size(); i++) {
      copies += copyBytes(labels.get(i).array(), layout.outputs().get(i).dtype());
    }
    List<String> names = new ArrayList<>();
    inputs.forEach(a -> names.add(a.name().whole()));
    labels.forEach(a -> names.add(a.name().whole()));
    MemoryBudget.heap().require(copies, "converting " + String.join(" and ", names)
        + " to the model's types");
    List<NamedArray> in = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      NamedArray a = inputs.get(i);
      in.add(a.with(a.array().convertTo(layout.inputs().get(i).dtype(), a.name())));
    }
    List<NamedArray> out = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      NamedArray a = labels.get(i);
      out.add(a.with(a.array().convertTo(layout.outputs().get(i).dtype(), a.name())));
    }
    return new Dataset(in, out);
  }

  /** {@link #fitShapes} then {@link #convertTypes}. */
  public Dataset conformTo(DataLayout layout) {
    return fitShapes(layout).convertTypes(layout);
  }

  private static long copyBytes(HostArray array, DType target) {
    return array.dtype() == target || target.isString() ? 0
        : array.elementCount() * target.byteSize();
  }

  private static NamedArray find(List<NamedArray> arrays, String key, String role) {
    Optional<NamedArray> exact = arrays.stream().filter(a -> a.key().equals(key)).findFirst();
    return exact.orElseThrow(() -> new DataException("the data has no array for " + role + " '"
        + key + "'; it has " + String.join(", ", arrays.stream().map(a -> a.name().whole())
            .toList())));
  }

  private static NamedArray single(List<NamedArray> arrays, String what) {
    if (arrays.size() != 1) {
      throw new IllegalStateException("the data has " + arrays.size() + " " + what);
    }
    return arrays.get(0);
  }

  /** The shape error of an array of {@code shape}, also used on headers before reading. */
  /** The rows of a {@link #validationSplit}: the first train, the last validate. */
  public record Split(Dataset train, Dataset validation) {}

  /**
   * Splits the rows as Keras's {@code validation_split} does
   * ({@code keras.src.trainers.data_adapters.array_slicing.train_validation_split}): the first
   * {@code floor(rows * (1 - fraction))} rows train, the rest validate, in file order (before
   * any shuffle).
   *
   * @throws IllegalArgumentException when one side would get no row
   */
  public Split validationSplit(double fraction) {
    long total = rows();
    int at = (int) Math.floor(total * (1.0 - fraction));
    if (at <= 0 || at >= total) {
      throw new IllegalArgumentException("the training data has " + total + " rows, too few to"
          + " hold out a validation split of " + fraction);
    }
    return new Split(rows(0, at), rows(at, (int) total));
  }

  /** Rows {@code [from, to)} of every array. */
  public Dataset rows(int from, int to) {
    int[] indices = java.util.stream.IntStream.range(from, to).toArray();
    return new Dataset(
        inputs.stream().map(a -> a.with(a.array().gatherRows(indices))).toList(),
        labels.stream().map(a -> a.with(a.array().gatherRows(indices))).toList());
  }

  static void checkRowShape(ArrayName name, long[] shape, long[] expected, String note) {
    if (!HostArray.rowShapeFits(shape, expected)) {
      throw shapeError(name, shape, expected, note);
    }
  }

  static DataException shapeError(ArrayName name, long[] shape, long[] expected, String note) {
    return new DataException("shape " + Arrays.toString(shape) + " of " + name.whole()
        + " does not fit the model, which expects [batch" + (expected.length == 0 ? "" : ", ")
        + Arrays.toString(expected).replaceAll("[\\[\\]]", "").replace("-1", "?") + "]"
        + (note.isEmpty() ? "" : "; " + note));
  }
}
