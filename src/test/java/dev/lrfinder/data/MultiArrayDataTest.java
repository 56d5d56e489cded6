package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.data.DataLayout.LabelForm;
import dev.lrfinder.data.DataLayout.Slot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data of models with several inputs and outputs (docs/data.md): npz by key, CSV by column. */
class MultiArrayDataTest {
  private static final MemoryBudget PLENTY = MemoryBudget.fixed(1L << 30);
  private static final String SPARSE_NOTE = "the model's sparse_categorical_crossentropy needs"
      + " integer class ids 0 to 2 (its output has 3 classes)";
  private static final String ONE_HOT_NOTE = "the model's categorical_crossentropy needs one row"
      + " of 3 class probabilities in [0, 1] per sample (one-hot; for class ids use"
      + " sparse_categorical_crossentropy)";

  @TempDir Path dir;

  /** Inputs size [3] (float32) and city [1] (string); outputs price [1] and kind (3 classes). */
  private static DataLayout layout() {
    return new DataLayout(
        List.of(Slot.input("size", DType.FLOAT32, new long[] {3}),
            Slot.input("city", DType.STRING, new long[] {1})),
        List.of(Slot.input("price", DType.FLOAT32, new long[] {1}),
            new Slot("kind", DType.INT32, new long[0], LabelForm.CLASS_IDS, 3, SPARSE_NOTE)));
  }

  private static HostArray floats(long rows, long cols) {
    float[] values = new float[Math.toIntExact(cols == 0 ? rows : rows * cols)];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    return HostArray.ofFloats(cols == 0 ? new long[] {rows} : new long[] {rows, cols}, values);
  }

  private static HostArray cities(String... names) {
    return HostArray.ofStrings(new long[] {names.length}, names);
  }

  private Path npz(Object... namesAndArrays) throws IOException {
    return RawNpy.npz(dir.resolve("data.npz"), namesAndArrays);
  }

  private DataException refused(Path file) {
    return assertThrows(DataException.class, () -> DataFile.load(file, layout(), "label", PLENTY));
  }

  @Test
  void anNpzHoldsOneArrayPerInputAndOutputInTheModelsOrder() throws IOException {
    Path file = npz("y_kind", HostArray.ofInts(new long[] {4}, 0, 1, 2, 1),
        "x_city", cities("Oslo", "Lyon", "Z\u00fcrich", "Oslo"), "x_size", floats(4, 3),
        "y_price", floats(4, 0));

    DataFile.Splits splits = DataFile.load(file, layout(), "label", PLENTY);
    Dataset data = splits.train().conformTo(layout());

    assertEquals(List.of("size", "city"), data.inputs().stream().map(NamedArray::key).toList());
    assertEquals(List.of("price", "kind"), data.labels().stream().map(NamedArray::key).toList());
    assertEquals(floats(4, 3), data.inputs().get(0).array());
    // Strings stay strings; [N] becomes [N, 1] for rows of [1].
    HostArray city = data.inputs().get(1).array();
    assertEquals(DType.STRING, city.dtype());
    assertArrayEquals(new long[] {4, 1}, city.shape());
    assertEquals("Z\u00fcrich", city.getString(2));
    assertArrayEquals(new long[] {4, 1}, data.labels().get(0).array().shape());
    assertEquals(HostArray.ofInts(new long[] {4}, 0, 1, 2, 1), data.labels().get(1).array());
    assertEquals("x_city in '" + file + "'", data.inputs().get(1).name().whole());
    assertTrue(splits.test().isEmpty());
  }

  @Test
  void keysAreMatchedExactlyFirstThenSanitized() throws IOException {
    DataLayout layout = new DataLayout(
        List.of(Slot.input("User ID", DType.INT32, new long[0]),
            Slot.input("b", DType.FLOAT32, new long[0])),
        List.of(Slot.input("y", DType.FLOAT32, new long[0])));
    Path file = npz("x_user_id", HostArray.ofInts(new long[] {2}, 7, 8),
        "x_b", floats(2, 0), "y", floats(2, 0));

    Dataset data = DataFile.load(file, layout, "label", PLENTY).train();

    assertEquals(HostArray.ofInts(new long[] {2}, 7, 8), data.inputs().get(0).array());
    assertEquals("User ID", data.inputs().get(0).key());
  }

  @Test
  void aTestSplitIsReadByKeyWithItsSuffix() throws IOException {
    Path file = npz("x_size_train", floats(4, 3), "x_city_train", cities("a", "b", "c", "d"),
        "y_price_train", floats(4, 0), "y_kind_train", HostArray.ofInts(new long[] {4}, 0, 1, 2, 0),
        "x_size_test", floats(2, 3), "x_city_test", cities("e", "f"), "y_price_test",
        floats(2, 0), "y_kind_test", HostArray.ofInts(new long[] {2}, 2, 2));

    DataFile.Splits splits = DataFile.load(file, layout(), "label", PLENTY);

    assertEquals(4, splits.train().rows());
    assertEquals(2, splits.test().orElseThrow().rows());
    assertEquals("f", splits.test().orElseThrow().inputs().get(1).array().getString(1));
  }

  @Test
  void aMissingArrayIsNamedWithTheArraysTheFileHas() throws IOException {
    Path file = npz("x_size", floats(4, 3), "y_price", floats(4, 0),
        "y_kind", HostArray.ofInts(new long[] {4}, 0, 1, 2, 0));

    assertEquals("data file '" + file + "' has no array x_city (or x_city_train) for input 'city'"
        + " (train split); it has x_size, y_price, y_kind", refused(file).getMessage());
  }

  @Test
  void aPartTestSplitIsAnErrorNotDropped() throws IOException {
    Path file = npz("x_size", floats(4, 3), "x_city", cities("a", "b", "c", "d"),
        "y_price", floats(4, 0), "y_kind", HostArray.ofInts(new long[] {4}, 0, 1, 2, 0),
        "x_size_test", floats(2, 3));

    assertTrue(refused(file).getMessage().startsWith("data file '" + file + "' has no array"
        + " x_city_test for input 'city', no y_price_test for output 'price', no y_kind_test for"
        + " output 'kind' (test split)"), refused(file).getMessage());
  }

  @Test
  void arraysOfDifferentRowsAreRefusedFromTheirHeadersNamingBoth() throws IOException {
    Path file = npz("x_size", floats(4, 3), "x_city", cities("a", "b", "c"),
        "y_price", floats(4, 0), "y_kind", HostArray.ofInts(new long[] {4}, 0, 1, 2, 0));

    assertEquals("the rows of the arrays differ: 4 in x_size in '" + file + "', 3 in x_city in '"
        + file + "'", refused(file).getMessage());
  }

  @Test
  void aWrongShapeIsRefusedBeforeTheMemoryBudgetOrAnyDataIsRead() throws IOException {
    Path file = npz("x_size", floats(4, 2), "x_city", cities("a", "b", "c", "d"),
        "y_price", floats(4, 0), "y_kind", HostArray.ofInts(new long[] {4}, 0, 1, 2, 0));

    DataException e = assertThrows(DataException.class,
        () -> DataFile.load(file, layout(), "label", MemoryBudget.fixed(1)));

    assertEquals("shape [4, 2] of x_size in '" + file + "' does not fit the model, which expects"
        + " [batch, 3]", e.getMessage());
  }

  @Test
  void bytesArraysAreStringsToo() throws IOException {
    byte[] data = "ab\0\0cdef".getBytes(StandardCharsets.ISO_8859_1);
    Path file = RawNpy.storedZip(dir.resolve("bytes.npz"), Map.of("x.npy", RawNpy.v1(
        "{'descr': '|S4', 'fortran_order': False, 'shape': (2,), }", data), "y.npy",
        RawNpy.of(floats(2, 0))));

    Dataset read = DataFile.load(file, "label", PLENTY).train();

    assertEquals(DType.STRING, read.x().dtype());
    assertEquals("ab", read.x().getString(0));
    assertEquals("cdef", read.x().getString(1));
  }

  @Test
  void numbersWhereTheModelTakesStringsAreRefusedInASentence() throws IOException {
    Path file = npz("x_size", floats(4, 3), "x_city", floats(4, 0),
        "y_price", floats(4, 0), "y_kind", HostArray.ofInts(new long[] {4}, 0, 1, 2, 0));

    DataException e = assertThrows(DataException.class,
        () -> DataFile.load(file, layout(), "label", PLENTY).train().conformTo(layout()));

    assertEquals("x_city in '" + file + "' holds float32 numbers, but the model expects string"
        + " (text): save it as strings, e.g. a.astype(str)", e.getMessage());
  }

  @Test
  void oneHotRowsBecomeClassIdsForASparseLoss() throws IOException {
    Path file = npz("x_size", floats(2, 3), "x_city", cities("a", "b"), "y_price", floats(2, 1),
        "y_kind", HostArray.ofFloats(new long[] {2, 3}, 0, 0, 1, 1, 0, 0));

    Dataset data = DataFile.load(file, layout(), "label", PLENTY).train().conformTo(layout());

    assertEquals(HostArray.ofInts(new long[] {2}, 2, 0), data.labels().get(1).array());
  }

  @Test
  void rowsThatAreNotOneHotAreRefusedSayingWhatTheModelExpects() throws IOException {
    Path file = npz("x_size", floats(2, 3), "x_city", cities("a", "b"), "y_price", floats(2, 1),
        "y_kind", HostArray.ofFloats(new long[] {2, 3}, 0, 0, 1, 0.5f, 0.5f, 0));

    DataException e = assertThrows(DataException.class,
        () -> DataFile.load(file, layout(), "label", PLENTY).train().conformTo(layout()));

    assertEquals("row 1 of y_kind in '" + file + "' is not one-hot (one 1, zeros elsewhere), so"
        + " its 3 columns cannot be read as a class id; " + SPARSE_NOTE + ": give one class id"
        + " per row, shape [2]", e.getMessage());
  }

  @Test
  void oneHotRowsOfAnotherClassCountAreRefusedFromTheHeader() throws IOException {
    Path file = npz("x_size", floats(2, 3), "x_city", cities("a", "b"), "y_price", floats(2, 1),
        "y_kind", HostArray.ofFloats(new long[] {2, 4}, 0, 0, 1, 0, 1, 0, 0, 0));

    assertEquals("shape [2, 4] of y_kind in '" + file + "' does not fit the model, which expects"
        + " [batch]; " + SPARSE_NOTE, refused(file).getMessage());
  }

  @Test
  void classIdsBecomeOneHotRowsForACategoricalLossAndColumnsBecomeScalars() {
    DataLayout categorical = new DataLayout(List.of(Slot.input("x", DType.FLOAT32, new long[0])),
        List.of(new Slot("y", DType.FLOAT32, new long[] {3}, LabelForm.ONE_HOT, 3, ONE_HOT_NOTE)));
    Dataset data = new Dataset(floats(2, 1), HostArray.ofInts(new long[] {2, 1}, 2, 0));

    Dataset conformed = data.conformTo(categorical);

    assertEquals(HostArray.ofFloats(new long[] {2}, 0, 1), conformed.x());
    assertEquals(HostArray.ofFloats(new long[] {2, 3}, 0, 0, 1, 1, 0, 0), conformed.y());
  }

  @Test
  void batchesSliceEveryArrayByTheSameRows() throws IOException {
    Path file = npz("x_size", floats(4, 3), "x_city", cities("a", "b", "c", "d"),
        "y_price", floats(4, 0), "y_kind", HostArray.ofInts(new long[] {4}, 0, 1, 2, 0));
    Dataset data = DataFile.load(file, layout(), "label", PLENTY).train().conformTo(layout());
    Batches batches = new Batches(data, 2, true, 5);

    for (int step = 0; step < 4; step++) {
      int[] rows = batches.rowsOf(step);
      Batch batch = batches.get(step);
      for (int i = 0; i < rows.length; i++) {
        assertEquals(3.0 * rows[i], batch.inputs().get(0).getDouble(3L * i));
        assertEquals(String.valueOf((char) ('a' + rows[i])), batch.inputs().get(1).getString(i));
        assertEquals(rows[i], batch.labels().get(0).getDouble(i));
        assertEquals(List.of(0, 1, 2, 0).get(rows[i]), (int) batch.labels().get(1).getDouble(i));
      }
    }
  }

  private Path csv(String text) throws IOException {
    Path file = dir.resolve("data.csv");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void csvColumnsFeedTheInputsAndOutputsOfTheirNamesAndStringsStayVerbatim() throws IOException {
    DataLayout layout = new DataLayout(
        List.of(Slot.input("rooms", DType.FLOAT32, new long[] {1}),
            Slot.input("city", DType.STRING, new long[] {1})),
        List.of(Slot.input("price", DType.FLOAT32, new long[] {1}),
            new Slot("kind", DType.INT32, new long[0], LabelForm.CLASS_IDS, 3, SPARSE_NOTE)));
    Path file = csv("id,city,price,rooms,kind\n1, \"Z\u00fcrich, CH\" ,100.5,3,2\n2,Oslo,80,2,0\n");

    DataFile.Splits splits = DataFile.load(file, layout, "label", PLENTY);
    Dataset data = splits.train().conformTo(layout);

    assertEquals(HostArray.ofFloats(new long[] {2, 1}, 3, 2), data.inputs().get(0).array());
    assertEquals("Z\u00fcrich, CH", data.inputs().get(1).array().getString(0));
    assertEquals(HostArray.ofFloats(new long[] {2, 1}, 100.5f, 80), data.labels().get(0).array());
    assertEquals(HostArray.ofInts(new long[] {2}, 2, 0), data.labels().get(1).array());
    assertEquals(List.of("CSV '" + file + "' has columns no input or output of the model uses,"
        + " ignored: id"), splits.notes());
    assertEquals("line 3 column 'rooms' of '" + file + "'",
        data.inputs().get(0).name().element(new long[] {1, 0}));
  }

  @Test
  void aCsvWithoutAColumnForAnInputNamesItAndTheColumns() throws IOException {
    Path file = csv("city,price,kind\na,2,0\n");

    DataException e = refused(file);

    assertEquals("CSV '" + file + "' has no column 'size' for input 'size' (each input is fed by"
        + " the column of its name); columns: city, price, kind", e.getMessage());
  }

  @Test
  void aCsvWithoutALabelColumnOfAnOutputNamesIt() throws IOException {
    Path file = csv("size,city,price\n1,a,2\n");

    assertEquals("CSV '" + file + "' has no column 'kind' for the labels of output 'kind' (each"
        + " output's labels are the column of its name); columns: size, city, price",
        refused(file).getMessage());
  }

  @Test
  void aCsvColumnCannotFeedAnInputOfWideRows() throws IOException {
    Path file = csv("size,city,price,kind\n1,a,2,0\n");

    assertEquals("CSV '" + file + "' column 'size' holds one value per row, but input 'size' takes"
        + " rows of shape [3]; use an .npz file for it", refused(file).getMessage());
  }

  @Test
  void aCsvForOneInputAndSeveralOutputsTakesEveryOtherColumnAsFeatures() throws IOException {
    DataLayout layout = new DataLayout(List.of(Slot.input("features", DType.FLOAT32,
        new long[] {2})), List.of(Slot.input("age", DType.FLOAT32, new long[] {1}),
            Slot.input("gender", DType.FLOAT32, new long[] {1})));
    Path file = csv("f0,age,f1,gender\n1,30,2,1\n3,40.5,4,0\n");

    Dataset data = DataFile.load(file, layout, "label", PLENTY).train().conformTo(layout);

    assertEquals(HostArray.ofFloats(new long[] {2, 2}, 1, 2, 3, 4), data.x());
    assertEquals(HostArray.ofFloats(new long[] {2, 1}, 30, 40.5f), data.labels().get(0).array());
    assertEquals(HostArray.ofFloats(new long[] {2, 1}, 1, 0), data.labels().get(1).array());
  }

  @Test
  void aCsvLabelColumnMayBeNamedLikeTheOneOutput() throws IOException {
    DataLayout layout = new DataLayout(List.of(Slot.input("x", DType.FLOAT32, new long[] {1})),
        List.of(Slot.input("price", DType.FLOAT32, new long[] {1})));
    Path file = csv("a,price\n1,2\n");

    Dataset data = DataFile.load(file, layout, "label", PLENTY).train().conformTo(layout);

    assertEquals(HostArray.ofFloats(new long[] {1, 1}, 2), data.y());
  }
}
