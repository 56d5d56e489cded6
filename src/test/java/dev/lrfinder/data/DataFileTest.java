package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFileTest {
  @TempDir Path dir;

  private static final HostArray X = HostArray.ofFloats(new long[] {3, 2}, 1, 2, 3, 4, 5, 6);
  private static final HostArray Y = HostArray.ofInts(new long[] {3}, 0, 1, 2);
  private static final MemoryBudget PLENTY = MemoryBudget.fixed(1L << 30);

  private Path npz(Object... namesAndArrays) throws IOException {
    return RawNpy.npz(dir.resolve("data.npz"), namesAndArrays);
  }

  private static DataException loadFails(Path file) {
    return assertThrows(DataException.class, () -> DataFile.load(file, "label", PLENTY));
  }

  private static HostArray doubles(long[] shape, double... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asDoubleBuffer().put(values);
    return HostArray.of(DType.FLOAT64, shape, bytes.array());
  }

  @Test
  void loadsTrainAndTestSplitsNamedByTheirArrays() throws IOException {
    HostArray xTest = HostArray.ofFloats(new long[] {1, 2}, 7, 8);
    Path file = npz("x_train", X, "y_train", Y, "x_test", xTest, "y_test", HostArray.ofInts(new long[] {1}, 1));

    DataFile.Splits splits = DataFile.load(file, "label", PLENTY);

    assertEquals(X, splits.train().x());
    assertEquals(xTest, splits.test().orElseThrow().x());
    assertEquals("y_test in '" + file + "'", splits.test().orElseThrow().yName().whole());
  }

  @Test
  void plainXAndYAreTrainingDataOnlyAndNeverAlsoTheTestSplit() throws IOException {
    DataFile.Splits splits = DataFile.load(npz("x", X, "y", Y), "label", PLENTY);

    assertEquals(X, splits.train().x());
    assertFalse(splits.test().isPresent(), "validation must not silently reuse the training data");
  }

  @Test
  void aTestSplitIsNeverTakenFromPlainXAndY() throws IOException {
    Path file = npz("x", X, "y", Y);

    DataException e = assertThrows(DataException.class,
        () -> DataFile.loadSplit(file, "test", "label", PLENTY));

    assertEquals("data file '" + file + "' has no arrays x_test and y_test; it has x, y",
        e.getMessage());
  }

  @Test
  void aTestSplitWithoutItsLabelsIsAnErrorNotDropped() throws IOException {
    Path file = npz("x_train", X, "y_train", Y, "x_test", X);

    assertEquals("x_test in '" + file + "' has no partner y_test (features and labels come in"
        + " pairs); the file has x_train, y_train, x_test", loadFails(file).getMessage());
  }

  @Test
  void labelsWithoutFeaturesAreAnErrorToo() throws IOException {
    Path file = npz("x_train", X, "y_train", Y, "y_test", Y);

    assertTrue(loadFails(file).getMessage().startsWith("y_test in '" + file + "' has no partner"
        + " x_test"));
  }

  @Test
  void aTestSplitWithMismatchedRowsIsAnError() throws IOException {
    Path file = npz("x_train", X, "y_train", Y, "x_test", X, "y_test", HostArray.ofInts(new long[] {2}, 0, 1));

    assertEquals("the rows of features and labels differ: 3 in x_test in '" + file + "', 2 in"
        + " y_test in '" + file + "'", loadFails(file).getMessage());
  }

  @Test
  void theFirstNanIsNamedByArrayRowAndColumn() throws IOException {
    HostArray bad = HostArray.ofFloats(new long[] {3, 2}, 1, 2, 3, Float.NaN, Float.NaN, 6);
    Path file = npz("x_train", bad, "y_train", Y);

    assertEquals("x_train[1, 1] in '" + file + "' is NaN; lrfinder trains on finite numbers only",
        loadFails(file).getMessage());
  }

  @Test
  void anInfinityInFloat64LabelsOfTheTestSplitIsNamedToo() throws IOException {
    Path file = npz("x_train", X, "y_train", Y, "x_test", X,
        "y_test", doubles(new long[] {3}, 0, Double.NEGATIVE_INFINITY, 1));

    assertEquals("y_test[1] in '" + file + "' is -Infinity; lrfinder trains on finite numbers only",
        loadFails(file).getMessage());
  }

  @Test
  void theMemoryBudgetIsCheckedFromTheHeadersBeforeAnyDataIsRead() throws IOException {
    // A real bomb: 40 MB of zeros declared by x_train's header deflate to a few tens of kB.
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (10000000,), }";
    Path file = RawNpy.zerosZip(dir.resolve("bomb.npz"), "x_train.npy",
        RawNpy.v1(dict, new byte[0]), 40_000_000);
    assertTrue(Files.size(file) < 200_000, "deflated size " + Files.size(file));

    DataException e = assertThrows(DataException.class,
        () -> NpzFile.read(file, MemoryBudget.fixed(10_000_000)));

    assertTrue(e.getMessage().startsWith("loading the arrays of '" + file + "' needs 40 MB of"
        + " memory; the JVM has 10 MB to spare: raise its heap limit, e.g. LRFINDER_JAVA_OPTS=-Xmx"),
        e.getMessage());
  }

  @Test
  void aLargeFileOfTheWrongShapeIsRefusedFromItsHeadersBeforeTheBudgetOrAnyRead()
      throws IOException {
    // 40 MB of [10,000,000, 1] floats deflated to a few tens of kB, for a model of 2 features:
    // with the model's row shapes the header alone refuses it, before a 10 MB budget could.
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (10000000, 1), }";
    Path file = RawNpy.zerosZip(dir.resolve("wide.npz"), "x_train.npy",
        RawNpy.v1(dict, new byte[0]), 40_000_000);
    Path both = RawNpy.npz(dir.resolve("y.npz"), "y_train", Y);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile());
        java.util.zip.ZipFile labels = new java.util.zip.ZipFile(both.toFile())) {
      entries.put("x_train.npy", zip.getInputStream(zip.getEntry("x_train.npy")).readAllBytes());
      entries.put("y_train.npy",
          labels.getInputStream(labels.getEntry("y_train.npy")).readAllBytes());
    }
    Path data = RawNpy.deflatedZip(dir.resolve("data.npz"), entries);
    DataLayout model = new DataLayout(List.of(DataLayout.Slot.input("x", DType.FLOAT32,
        new long[] {2})), List.of(DataLayout.Slot.input("y", DType.INT64, new long[0])));

    DataException e = assertThrows(DataException.class, () -> DataFile.load(data, model, "label",
        MemoryBudget.fixed(10_000_000)));

    assertEquals("shape [10000000, 1] of x_train in '" + data + "' does not fit the model,"
        + " which expects [batch, 2]", e.getMessage());
  }

  @Test
  void aZipThatDeclaresMoreThanItHoldsIsRefusedByTheBudgetNotRead() throws IOException {
    // Central directory and npy headers agree on 1.5 GB + 375 MB; the entries hold 4 bytes each.
    byte[] x = RawNpy.v1("{'descr': '<f4', 'fortran_order': False, 'shape': (375000000,), }",
        new byte[4]);
    byte[] y = RawNpy.v1("{'descr': '|u1', 'fortran_order': False, 'shape': (375000000,), }",
        new byte[4]);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("x_train.npy", x);
    entries.put("y_train.npy", y);
    Path file = RawNpy.lyingZip(dir.resolve("liar.npz"), entries, Map.of(
        "x_train.npy", x.length - 4 + 1_500_000_000L, "y_train.npy", y.length - 4 + 375_000_000L));

    DataException e = assertThrows(DataException.class,
        () -> DataFile.load(file, "label", MemoryBudget.fixed(100_000_000)));

    assertTrue(e.getMessage().startsWith("loading x_train, y_train of '" + file + "' needs 1.9 GB"
        + " of memory; the JVM has 100 MB to spare"), e.getMessage());
  }

  @Test
  void rowsThatDifferAreFoundFromTheHeadersBeforeAnyDataIsRead() throws IOException {
    // y_train declares 100 million rows it does not hold: read, it would be "truncated".
    String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (100000000,), }";
    byte[] y = RawNpy.v1(dict, new byte[4]);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("x_train.npy", RawNpy.of(X));
    entries.put("y_train.npy", y);
    Path file = RawNpy.lyingZip(dir.resolve("rows.npz"), entries,
        Map.of("y_train.npy", y.length - 4 + 400_000_000L));

    assertEquals("the rows of features and labels differ: 3 in x_train in '" + file + "',"
        + " 100000000 in y_train in '" + file + "'", loadFails(file).getMessage());
  }

  @Test
  void aZipThatLiesWithinTheBudgetIsReadOnlyAsFarAsItsData() throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }";
    byte[] npy = RawNpy.v1(dict, new byte[4]);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("x_train.npy", npy);
    entries.put("y_train.npy", RawNpy.of(HostArray.of(DType.UINT8, new long[] {1000}, new byte[1000])));
    Path file = RawNpy.lyingZip(dir.resolve("liar.npz"), entries,
        Map.of("x_train.npy", npy.length - 4 + 4000L));

    assertEquals("x_train in '" + file + "' is truncated: its header promises 4000 bytes of data",
        loadFails(file).getMessage());
  }

  @Test
  void aZipEntrySmallerThanItsHeaderPromisesIsTruncatedBeforeReading() throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 2), }";
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("x_train.npy", RawNpy.v1(dict, new byte[8]));
    entries.put("y_train.npy", RawNpy.of(Y));
    Path file = RawNpy.storedZip(dir.resolve("short.npz"), entries);

    assertEquals("x_train in '" + file + "' is truncated: its header promises 8000 bytes of data,"
        + " the archive holds 8", loadFails(file).getMessage());
  }

  @Test
  void readingStopsAtTheDataTheHeaderDeclaresWhateverTheEntryHoldsAfterIt() throws IOException {
    // 4 MB of zeros after the data deflate to a few kB; only the 24 declared bytes are read.
    byte[] npy = RawNpy.of(X);
    byte[] padded = java.util.Arrays.copyOf(npy, npy.length + (4 << 20));
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("x_train.npy", padded);
    entries.put("y_train.npy", RawNpy.of(Y));
    Path file = RawNpy.deflatedZip(dir.resolve("padded.npz"), entries);

    assertTrue(Files.size(file) < 100_000, "deflated size " + Files.size(file));
    assertEquals(X, DataFile.load(file, "label", PLENTY).train().x());
  }

  @Test
  void csvFilesHaveNoTestSplit() throws IOException {
    Path file = Files.writeString(dir.resolve("d.csv"), "a,label\n1,0\n2,1\n");

    DataFile.Splits splits = DataFile.load(file, "label", PLENTY);

    assertEquals(2, splits.train().rows());
    assertFalse(splits.test().isPresent());
  }

  @Test
  void aDirectoryNamedNpzIsReportedAsADirectory() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("folder.npz"));

    assertEquals("data file '" + folder + "' is a directory, not a file",
        loadFails(folder).getMessage());
  }
}
