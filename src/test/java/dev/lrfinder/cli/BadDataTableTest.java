package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.RawNpy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data side of the bad-input table: each row is a real bad data file fed to {@code find} or
 * {@code train} through the CLI, on the exported and the direct (Keras 2) path. Each must exit
 * 2 with one plain line holding the row's fragment, and leave the model, the data file and the
 * report directory as they were (see {@link MainTest#badInput}).
 */
class BadDataTableTest {
  private static final Path EXPORTED = TestPaths.model("blobs_mlp");
  private static final Path DIRECT = TestPaths.model("keras2/blobs_mlp");
  private static final int ROWS = 64;

  /** The command line of one row, built in its own temporary directory. */
  record Case(List<String> args, List<Path> watched) {}

  /** Builds a row's data file (and anything else it needs) in {@code dir}. */
  @FunctionalInterface
  interface Scenario {
    Case build(Path dir) throws IOException;
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        row("NaN in x_train (find, exported)", "x_train[5, 1] in '", "' is NaN; lrfinder trains"
            + " on finite numbers only",
            dir -> find(EXPORTED, npz(dir, "x_train", features(5, 1, Float.NaN), "y_train", labels()), dir)),
        row("Infinity in x_test (find, direct)", "x_test[0, 0] in '", "' is Infinity",
            dir -> find(DIRECT, npz(dir, "x_train", features(), "y_train", labels(),
                "x_test", features(0, 0, Float.POSITIVE_INFINITY), "y_test", labels()), dir)),
        row("float64 too large for float32 (train, exported)", "x_train[2, 0] in '",
            "is 1.0e300, which is too large for float32",
            dir -> train(EXPORTED, npz(dir, "x_train", hugeFloat64(2), "y_train", labels()))),
        row("CSV cell NaN (train, exported)", "line 4 column 'b' is not a finite number: 'NaN'",
            dir -> train(EXPORTED, csv(dir, 2, "NaN", "0"))),
        row("CSV cell inf (find, direct)", "line 4 column 'b' is not a finite number: 'inf'",
            dir -> find(DIRECT, csv(dir, 2, "inf", "0"), dir)),
        row("CSV label Infinity (train, direct)",
            "line 4 column 'label' is not a finite number: 'Infinity'",
            dir -> train(DIRECT, csv(dir, 2, "1.5", "Infinity"))),
        row("label 99 for 3 classes (train, exported)", "y_train[3] in '", "' is 99, but the"
            + " model's sparse_categorical_crossentropy needs integer class ids 0 to 2 (its output"
            + " has 3 classes)",
            dir -> train(EXPORTED, npz(dir, "x_train", features(), "y_train", labels(3, 99)))),
        row("label -1 (find, direct)", "y_train[7] in '", "' is -1, but the model's"
            + " sparse_categorical_crossentropy needs integer class ids 0 to 2",
            dir -> find(DIRECT, npz(dir, "x_train", features(), "y_train", labels(7, -1)), dir)),
        row("label 2.5 in float labels (train, exported)", "y_train[9] in '", "' is 2.5, but",
            dir -> train(EXPORTED, npz(dir, "x_train", features(), "y_train", floatLabels(9, 2.5f)))),
        row("CSV label 7 for 3 classes (find, direct)", "line 4 column 'label' of '", "' is 7, but",
            dir -> find(DIRECT, csv(dir, 2, "0.5", "7"), dir)),
        row("test split label 3 (find, exported)", "y_test[1] in '", "' is 3, but",
            dir -> find(EXPORTED, npz(dir, "x_train", features(), "y_train", labels(),
                "x_test", features(), "y_test", labels(1, 3)), dir)),
        row("zip bomb: 5.8 GB declared by a 1 kB npz (find, exported)", "x_train in '",
            "' declares 5.8 GB of data (shape [725000000, 2] of float32); lrfinder holds at most"
            + " 2 GiB per array",
            dir -> find(EXPORTED, rawNpz(dir, "x_train", "<f4", "(725000000, 2)", new byte[0],
                "y_train", RawNpy.of(labels())), dir)),
        row("arrays that fit 2 GiB each but not the heap (train, exported)", "loading x_train,"
            + " y_train, x_test, y_test of '", "' needs 3.0 GB of memory; the JVM has",
            BadDataTableTest::heapBomb),
        row("x_test without y_test (find, exported)", "x_test in '", "' has no partner y_test",
            dir -> find(EXPORTED, npz(dir, "x_train", features(), "y_train", labels(),
                "x_test", features()), dir)),
        row("x_test of the wrong shape (find, direct)", "shape [64, 3] of x_test in '",
            "' does not fit the model, which expects [batch, 2]",
            dir -> find(DIRECT, npz(dir, "x_train", features(), "y_train", labels(),
                "x_test", HostArray.ofFloats(new long[] {ROWS, 3}, new float[ROWS * 3]),
                "y_test", labels()), dir)),
        row("x_test and y_test rows differ (train, exported)",
            "the rows of features and labels differ: 64 in x_test in '",
            dir -> train(EXPORTED, npz(dir, "x_train", features(), "y_train", labels(),
                "x_test", features(), "y_test", HostArray.ofInts(new long[] {2}, 0, 1)))),
        row("only x/y: validation must not reuse the training data (find, exported)",
            "--validation-batches needs x_test/y_test in ",
            dir -> find(EXPORTED, npz(dir, "x", features(), "y", labels()), dir,
                "--validation-batches", "2")),
        row("quoted CSV header without the label column (train, exported)",
            "has no column 'label'; columns: width, cm, b, target",
            dir -> train(EXPORTED, text(dir, "q.csv", "\"width, cm\",\"b\",\"target\"\n1,2,0\n"))),
        row("CSV quote never closed (find, exported)", "has a quoted cell from line 3 that is"
            + " never closed",
            dir -> find(EXPORTED, text(dir, "q.csv", "a,b,label\n1,2,0\n\"3,4,1\n5,6,0\n"), dir)),
        row("pickled object array (train, exported)", "holds Python objects (numpy dtype '|O'",
            dir -> train(EXPORTED, rawNpz(dir, "x_train", "|O", "(64,)", new byte[ROWS * 8],
                "y_train", RawNpy.of(labels())))),
        row("Fortran-order array (find, exported)", "is stored in Fortran order",
            dir -> find(EXPORTED, rawNpz(dir, "x_train", "<f4", "(64, 2)", new byte[ROWS * 8],
                "y_train", RawNpy.of(labels()), true), dir)),
        row("big-endian array (train, direct)", "is big-endian (numpy dtype '>f4')",
            dir -> train(DIRECT, rawNpz(dir, "x_train", ">f4", "(64, 2)", new byte[ROWS * 8],
                "y_train", RawNpy.of(labels())))),
        row("int16 array (find, exported)", "has numpy dtype '<i2'; lrfinder reads float32,",
            dir -> find(EXPORTED, rawNpz(dir, "x_train", "<i2", "(64, 2)", new byte[ROWS * 4],
                "y_train", RawNpy.of(labels())), dir)),
        row("truncated npy data (find, direct)", "is truncated: its header promises 512 bytes of"
            + " data",
            dir -> find(DIRECT, rawNpz(dir, "x_train", "<f4", "(64, 2)", new byte[100],
                "y_train", RawNpy.of(labels())), dir)),
        row("an .npz that is a directory (train, exported)", "is a directory, not a file",
            dir -> train(EXPORTED, Files.createDirectory(dir.resolve("folder.npz")))),
        row("an unreadable data file (find, exported)", "cannot be read: permission denied",
            BadDataTableTest::unreadable),
        row("a named pipe as data file, never read (train, exported)", "is not a regular file",
            BadDataTableTest::namedPipe),
        row("x_train and y_train rows differ (train, direct)",
            "the rows of features and labels differ: 64 in x_train in '",
            dir -> train(DIRECT, npz(dir, "x_train", features(), "y_train",
                HostArray.ofInts(new long[] {63}, new int[63])))),
        row("zero rows (find, exported)", "the data has no rows (x_train in '",
            dir -> find(EXPORTED, npz(dir, "x_train", HostArray.ofFloats(new long[] {0, 2}),
                "y_train", HostArray.ofInts(new long[] {0})), dir)),
        row("labels of the wrong rank (train, exported)", "shape [64, 2] of y_train in '",
            "the model's sparse_categorical_crossentropy needs integer class ids 0 to 2",
            dir -> train(EXPORTED, npz(dir, "x_train", features(), "y_train",
                HostArray.ofInts(new long[] {ROWS, 2}, new int[ROWS * 2])))),
        row("not a zip (find, direct)", "is not a valid .npz archive",
            dir -> find(DIRECT, text(dir, "d.npz", "a,b,label\n1,2,0\n"), dir)),
        row("CSV row with a missing cell (train, exported)", "line 3 has 2 cells, the header has 3",
            dir -> train(EXPORTED, text(dir, "d.csv", "a,b,label\n1,2,0\n3,1\n"))),
        row("npz without training arrays (find, exported)", "needs arrays x_train and y_train (or"
            + " x and y); it has features, labels",
            dir -> find(EXPORTED, npz(dir, "features", features(), "labels", labels()), dir)),
        row("CSV header but no rows (train, direct)", "has a header but no rows",
            dir -> train(DIRECT, text(dir, "d.csv", "a,b,label\n\n  \n"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void badDataIsRefusedInOneLineAndChangesNothing(String name, Scenario scenario,
      List<String> fragments, @TempDir Path dir) throws IOException {
    Case c = scenario.build(dir);
    String line = MainTest.badInput(c.watched(), c.args().toArray(String[]::new));
    for (String fragment : fragments) {
      assertTrue(line.contains(fragment), "'" + fragment + "' not in: " + line);
    }
  }

  private static Arguments row(String name, String fragment, Scenario scenario) {
    return Arguments.of(name, scenario, List.of(fragment));
  }

  private static Arguments row(String name, String first, String second, Scenario scenario) {
    return Arguments.of(name, scenario, List.of(first, second));
  }

  private static Case train(Path model, Path data) {
    return new Case(List.of("train", model.toString(), "--data", data.toString(), "--steps", "2",
        "--batch-size", "32"), List.of(model, data));
  }

  private static Case find(Path model, Path data, Path dir, String... more) {
    Path out = dir.resolve("report");
    List<String> args = new ArrayList<>(List.of("find", model.toString(), "--data",
        data.toString(), "--steps", "5", "--batch-size", "32", "--optimizers", "sgd", "--out",
        out.toString()));
    args.addAll(List.of(more));
    return new Case(args, List.of(model, data, out));
  }

  private static Path npz(Path dir, Object... namesAndArrays) throws IOException {
    return RawNpy.npz(dir.resolve("data.npz"), namesAndArrays);
  }

  /** An npz of x_train with a hand-written header, and y_train. */
  private static Path rawNpz(Path dir, String x, String descr, String shape, byte[] data,
      String y, byte[] labels) throws IOException {
    return rawNpz(dir, x, descr, shape, data, y, labels, false);
  }

  private static Path rawNpz(Path dir, String x, String descr, String shape, byte[] data,
      String y, byte[] labels, boolean fortran) throws IOException {
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': " + shape + ", }";
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(x + ".npy", RawNpy.v1(dict, data));
    entries.put(y + ".npy", labels);
    return RawNpy.deflatedZip(dir.resolve("raw.npz"), entries);
  }

  /** Two splits of 1 GB features and 0.5 GB labels, declared by headers and a directory that lie. */
  private static Case heapBomb(Path dir) throws IOException {
    // Surefire runs with -Xmx2g; a JVM with more heap would load what this declares.
    assumeTrue(Runtime.getRuntime().maxMemory() < 3_500_000_000L, "needs a heap under 3.5 GB");
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (125000000, 2), }";
    byte[] x = RawNpy.v1(dict, new byte[4]);
    String labelDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (125000000,), }";
    byte[] y = RawNpy.v1(labelDict, new byte[4]);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    Map<String, Long> declared = new LinkedHashMap<>();
    for (String split : List.of("train", "test")) {
      entries.put("x_" + split + ".npy", x);
      entries.put("y_" + split + ".npy", y);
      declared.put("x_" + split + ".npy", x.length - 4 + 1_000_000_000L);
      declared.put("y_" + split + ".npy", y.length - 4 + 500_000_000L);
    }
    Path file = RawNpy.lyingZip(dir.resolve("bomb.npz"), entries, declared);
    return train(EXPORTED, file);
  }

  private static Case unreadable(Path dir) throws IOException {
    // root reads any file whatever its mode, so the refusal can only be seen as another user.
    assumeTrue(!"root".equals(System.getProperty("user.name")), "root reads files mode 000 too");
    Path file = npz(dir, "x_train", features(), "y_train", labels());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    Case c = find(EXPORTED, file, dir);
    // The file itself cannot be checksummed: it is unreadable, which is the point.
    return new Case(c.args(), List.of(EXPORTED, dir.resolve("report")));
  }

  /** Reading a FIFO would block until a writer comes; it must be refused without opening it. */
  private static Case namedPipe(Path dir) throws IOException {
    Path fifo = dir.resolve("pipe.npz");
    try {
      assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      assumeTrue(false, "interrupted");
    } catch (IOException e) {
      assumeTrue(false, "no mkfifo: " + e.getMessage());
    }
    return new Case(train(EXPORTED, fifo).args(), List.of(EXPORTED));
  }

  private static Path csv(Path dir, int badLine, String feature, String label) throws IOException {
    StringBuilder text = new StringBuilder("a,b,label\n");
    for (int i = 0; i < ROWS; i++) {
      boolean bad = i == badLine;
      text.append(i % 7).append(',').append(bad ? feature : "0.5").append(',')
          .append(bad ? label : String.valueOf(i % 3)).append('\n');
    }
    return text(dir, "data.csv", text.toString());
  }

  private static Path text(Path dir, String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static HostArray features() {
    float[] values = new float[ROWS * 2];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 11) / 10f - 0.5f;
    }
    return HostArray.ofFloats(new long[] {ROWS, 2}, values);
  }

  /** {@link #features()} with {@code value} at row {@code row}, column {@code column}. */
  private static HostArray features(int row, int column, float value) {
    float[] values = new float[ROWS * 2];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 11) / 10f - 0.5f;
    }
    values[row * 2 + column] = value;
    return HostArray.ofFloats(new long[] {ROWS, 2}, values);
  }

  private static HostArray hugeFloat64(int row) {
    ByteBuffer bytes = ByteBuffer.allocate(ROWS * 2 * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < ROWS * 2; i++) {
      bytes.putDouble(i == row * 2 ? 1e300 : 0.25);
    }
    return HostArray.of(DType.FLOAT64, new long[] {ROWS, 2}, bytes.array());
  }

  private static HostArray labels() {
    int[] values = new int[ROWS];
    for (int i = 0; i < ROWS; i++) {
      values[i] = i % 3;
    }
    return HostArray.ofInts(new long[] {ROWS}, values);
  }

  private static HostArray labels(int row, int value) {
    int[] values = new int[ROWS];
    for (int i = 0; i < ROWS; i++) {
      values[i] = i == row ? value : i % 3;
    }
    return HostArray.ofInts(new long[] {ROWS}, values);
  }

  private static HostArray floatLabels(int row, float value) {
    float[] values = new float[ROWS];
    for (int i = 0; i < ROWS; i++) {
      values[i] = i == row ? value : i % 3;
    }
    return HostArray.ofFloats(new long[] {ROWS}, values);
  }
}
