package dev.lrfinder.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzFileTest {
  @TempDir Path dir;

  private static Map<String, HostArray> twoArrays() {
    Map<String, HostArray> arrays = new LinkedHashMap<>();
    arrays.put("x", HostArray.ofFloats(new long[] {3, 2}, 1, 2, 3, 4, 5, 6));
    arrays.put("y", HostArray.ofInts(new long[] {3}, 0, 1, 0));
    return arrays;
  }

  private static DataException readFails(Path file) {
    return assertThrows(DataException.class, () -> NpzFile.read(file));
  }

  @Test
  void readsTheBundledBlobsArchiveWithNumpyValues() {
    Map<String, HostArray> arrays = NpzFile.read(TestPaths.data("blobs_mlp"));

    assertEquals(List.of("x_train", "y_train", "x_test", "y_test"), new ArrayList<>(arrays.keySet()));
    HostArray x = arrays.get("x_train");
    assertEquals(DType.FLOAT32, x.dtype());
    assertArrayEquals(new long[] {500, 2}, x.shape());
    assertEquals(DType.INT32, arrays.get("y_train").dtype());
    assertArrayEquals(new long[] {500}, arrays.get("y_train").shape());
    assertArrayEquals(new long[] {500, 2}, arrays.get("x_test").shape());
    // From /work/main/.venv/bin/python:
    //   d = np.load('savedmodels/blobs_mlp.npz')
    //   d['x_train'][0].tolist()    -> [0.4871981143951416, -0.4316054880619049]
    //   d['x_train'][499].tolist()  -> [-0.887576162815094, -11.233267784118652]
    //   d['y_train'][:10].tolist()  -> [2, 2, 2, 0, 1, 0, 1, 1, 2, 2]
    assertEquals(0.4871981143951416, x.getDouble(0));
    assertEquals(-0.4316054880619049, x.getDouble(1));
    assertEquals(-0.887576162815094, x.getDouble(998));
    assertEquals(-11.233267784118652, x.getDouble(999));
    double[] firstLabels = new double[10];
    for (int i = 0; i < 10; i++) {
      firstLabels[i] = arrays.get("y_train").getDouble(i);
    }
    assertArrayEquals(new double[] {2, 2, 2, 0, 1, 0, 1, 1, 2, 2}, firstLabels);
  }

  @Test
  void readsTheBundledCompressedMnistArchiveWithNumpyValues() {
    Map<String, HostArray> arrays = NpzFile.read(TestPaths.data("mnist_cnn"));

    HostArray x = arrays.get("x_train");
    HostArray y = arrays.get("y_train");
    assertEquals(DType.UINT8, x.dtype());
    assertArrayEquals(new long[] {4000, 28, 28, 1}, x.shape());
    assertEquals(DType.INT32, y.dtype());
    assertArrayEquals(new long[] {4000}, y.shape());
    assertArrayEquals(new long[] {1000, 28, 28, 1}, arrays.get("x_test").shape());
    // From /work/main/.venv/bin/python with m = np.load('savedmodels/mnist_cnn.npz'):
    //   m['x_train'][0, 14, 10:20, 0].tolist() -> [226, 253, 253, 253, 255, 253, 253, 253, 253, 114]
    //   int(m['x_train'].sum(dtype=np.int64))  -> 105234170
    //   m['y_train'][:10].tolist()             -> [3, 1, 9, 5, 1, 0, 4, 6, 8, 3]
    //   np.bincount(m['y_train']).tolist()     -> [400, 381, 395, 406, 404, 396, 411, 401, 397, 409]
    double[] row = new double[10];
    for (int i = 0; i < 10; i++) {
      row[i] = x.getDouble(14 * 28 + 10 + i);
    }
    assertArrayEquals(new double[] {226, 253, 253, 253, 255, 253, 253, 253, 253, 114}, row);
    long sum = 0;
    for (long i = 0; i < x.elementCount(); i++) {
      sum += (long) x.getDouble(i);
    }
    assertEquals(105234170L, sum);
    int[] counts = new int[10];
    for (int i = 0; i < 4000; i++) {
      double label = y.getDouble(i);
      assertTrue(label >= 0 && label <= 9 && label == Math.rint(label), "label " + label + " at " + i);
      counts[(int) label]++;
    }
    assertArrayEquals(new int[] {400, 381, 395, 406, 404, 396, 411, 401, 397, 409}, counts);
    assertEquals(3.0, y.getDouble(0));
    assertEquals(3.0, y.getDouble(9));
  }

  @Test
  void writeThenReadKeepsNamesOrderAndArrays() throws IOException {
    Path file = dir.resolve("data.npz");

    NpzFile.write(file, twoArrays());

    Map<String, HostArray> back = NpzFile.read(file);
    assertEquals(List.of("x", "y"), new ArrayList<>(back.keySet()));
    assertEquals(twoArrays(), back);
  }

  @Test
  void writeStoresEntriesUncompressedAsNpSavezDoes() throws IOException {
    Path file = dir.resolve("data.npz");

    NpzFile.write(file, twoArrays());

    try (ZipFile zip = new ZipFile(file.toFile())) {
      List<String> names = new ArrayList<>();
      for (ZipEntry entry : zip.stream().toList()) {
        names.add(entry.getName());
        assertEquals(ZipEntry.STORED, entry.getMethod(), entry.getName());
      }
      assertEquals(List.of("x.npy", "y.npy"), names);
    }
  }

  @Test
  void readsDeflatedAndStoredEntries() throws IOException {
    byte[] x = RawNpy.of(twoArrays().get("x"));
    byte[] y = RawNpy.of(twoArrays().get("y"));

    Path deflated = RawNpy.deflatedZip(dir.resolve("deflated.npz"), Map.of("x.npy", x, "y.npy", y));
    Path stored = RawNpy.storedZip(dir.resolve("stored.npz"), Map.of("x.npy", x, "y.npy", y));

    assertEquals(twoArrays(), NpzFile.read(deflated));
    assertEquals(twoArrays(), NpzFile.read(stored));
  }

  @Test
  void skipsDirectoriesAndEntriesThatAreNotNpy() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("notes/", new byte[0]);
    entries.put("README.txt", "hello".getBytes(StandardCharsets.US_ASCII));
    entries.put("y.npy", RawNpy.of(twoArrays().get("y")));

    Map<String, HostArray> arrays = NpzFile.read(RawNpy.storedZip(dir.resolve("mixed.npz"), entries));

    assertEquals(Map.of("y", twoArrays().get("y")), arrays);
  }

  @Test
  void readsALoneNpyFileAsX() throws IOException {
    HostArray array = twoArrays().get("x");
    Path file = Files.write(dir.resolve("features.npy"), RawNpy.of(array));

    assertEquals(Map.of("x", array), NpzFile.read(file));
  }

  @Test
  void missingFileIsReportedAsNotExisting() {
    Path file = dir.resolve("nope.npz");

    DataException e = readFails(file);

    assertEquals("data file '" + file + "' does not exist", e.getMessage());
  }

  @Test
  void directoryIsReportedAsADirectory() {
    DataException e = readFails(dir);

    assertEquals("data file '" + dir + "' is a directory, not a file", e.getMessage());
  }

  @Test
  void emptyFileIsReportedAsEmpty() throws IOException {
    Path file = Files.createFile(dir.resolve("empty.npz"));

    DataException e = readFails(file);

    assertEquals("data file '" + file + "' is empty", e.getMessage());
  }

  @Test
  void emptyNpyFileIsReportedAsEmpty() throws IOException {
    Path file = Files.createFile(dir.resolve("empty.npy"));

    assertTrue(readFails(file).getMessage().endsWith("is empty"));
  }

  @Test
  void fileThatIsNotAZipIsReportedAsNotAnNpzArchive() throws IOException {
    Path file = Files.writeString(dir.resolve("text.npz"), "x,y\n1,2\n");

    DataException e = readFails(file);

    assertEquals("data file '" + file + "' is not a valid .npz archive", e.getMessage());
  }

  @Test
  void npyFileNamedNpzIsReportedAsNotAnNpzArchive() throws IOException {
    Path file = Files.write(dir.resolve("wrong.npz"), RawNpy.of(twoArrays().get("x")));

    assertTrue(readFails(file).getMessage().endsWith("is not a valid .npz archive"));
  }

  @Test
  void truncatedZipIsReportedAsNotAnNpzArchive() throws IOException {
    Path whole = dir.resolve("whole.npz");
    NpzFile.write(whole, twoArrays());
    byte[] bytes = Files.readAllBytes(whole);
    Path file = Files.write(dir.resolve("cut.npz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertEquals("data file '" + file + "' is not a valid .npz archive", readFails(file).getMessage());
  }

  @Test
  void zipWithoutNpyEntriesHoldsNoArrays() throws IOException {
    Path file = RawNpy.storedZip(dir.resolve("other.npz"),
        Map.of("readme.txt", "hi".getBytes(StandardCharsets.US_ASCII)));

    DataException e = readFails(file);

    assertEquals("data file '" + file + "' holds no arrays", e.getMessage());
  }

  @Test
  void badArrayInsideAnArchiveIsNamedByFileAndKey() throws IOException {
    String dict = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }";
    Path file = RawNpy.storedZip(dir.resolve("complex.npz"),
        Map.of("names.npy", RawNpy.v1(dict, new byte[8])));

    DataException e = readFails(file);

    assertTrue(e.getMessage().startsWith("names in '" + file + "' has numpy dtype '<c8'"),
        e.getMessage());
  }

  @Test
  void truncatedArrayInsideAnArchiveIsReportedAsTruncated() throws IOException {
    byte[] full = RawNpy.of(twoArrays().get("x"));
    byte[] cut = java.util.Arrays.copyOf(full, full.length - 4);
    Path file = RawNpy.deflatedZip(dir.resolve("cut.npz"), Map.of("x.npy", cut));

    DataException e = readFails(file);

    assertEquals("x in '" + file + "' is truncated: its header promises 24 bytes of data, the"
        + " archive holds 20", e.getMessage());
  }

  @Test
  void truncatedLoneNpyFileIsReportedAsTruncated() throws IOException {
    byte[] full = RawNpy.of(twoArrays().get("x"));
    Path file = Files.write(dir.resolve("cut.npy"), java.util.Arrays.copyOf(full, 20));

    DataException e = readFails(file);

    assertTrue(e.getMessage().startsWith("'" + file + "' is truncated"), e.getMessage());
  }
}
