package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lrfinder.BuiltFixtures;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.RawNpy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input table of models with several inputs and outputs (contract v2): each row is a bad
 * data file for an exported two-input model (a float input {@code size} [3] and a string input
 * {@code city}), a two-output model ({@code age}: mse, {@code gender}: binary crossentropy) or a
 * model read from CSV columns by name ({@code rooms}, {@code city}), fed to {@code train} or
 * {@code find} through the CLI. Each must exit 2 with one plain line holding the row's fragments
 * and change nothing (see {@link MainTest#badInput}). The models are built by
 * tools/fixtures/make_multiio_fixtures.py (see {@link BuiltFixtures#MULTI_IO}); without a venv the table is
 * skipped.
 */
class MultiInputTableTest {
  private static final int ROWS = 64;
  private static Optional<Path> models;

  @BeforeAll
  static void buildModels() {
    models = BuiltFixtures.MULTI_IO.dir();
  }

  /** Builds a row's command in {@code dir}, given the models' folder. */
  @FunctionalInterface
  interface Scenario {
    BadDataTableTest.Case build(Path models, Path dir) throws IOException;
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        row("two inputs: no array for the string input (train)",
            List.of("has no array x_city (or x_city_train) for input 'city' (train split); it"
                + " has x_size, y"),
            (m, dir) -> train(m, "two_inputs", npz(dir, "x_size", floats(ROWS, 3), "y",
                floats(ROWS, 0)))),
        row("two inputs: numbers for the string input (find)",
            List.of("x_city in '", "holds float32 numbers, but the model expects string (text):"
                + " save it as strings, e.g. a.astype(str)"),
            (m, dir) -> find(m, "two_inputs", npz(dir, "x_size", floats(ROWS, 3), "x_city",
                floats(ROWS, 0), "y", floats(ROWS, 0)), dir)),
        row("two inputs: strings for the float input (train)",
            List.of("x_size in '", "holds strings, but the model expects float32: convert it to"
                + " numbers first"),
            (m, dir) -> train(m, "two_inputs", npz(dir, "x_size", strings(ROWS, 3), "x_city",
                strings(ROWS, 0), "y", floats(ROWS, 0)))),
        row("two inputs: a pickled object array (train)",
            List.of("x_city in '", "holds Python objects (numpy dtype '|O', stored with pickle),"
                + " which lrfinder does not load"),
            (m, dir) -> train(m, "two_inputs", pickled(dir))),
        row("two inputs: arrays of different rows (find)",
            List.of("the rows of the arrays differ: 64 in x_size in '", "63 in x_city in '"),
            (m, dir) -> find(m, "two_inputs", npz(dir, "x_size", floats(ROWS, 3), "x_city",
                strings(ROWS - 1, 0), "y", floats(ROWS, 0)), dir)),
        row("two outputs: no array for one output (find)",
            List.of("has no array y_gender (or y_gender_train) for output 'gender'"),
            (m, dir) -> find(m, "two_outputs", npz(dir, "x_features", floats(ROWS, 4), "y_age",
                floats(ROWS, 0)), dir)),
        row("two outputs: a label out of binary crossentropy's range (train)",
            List.of("y_gender[3, 0] in '", "is 2, but the model's binary_crossentropy needs"
                + " labels in [0, 1]"),
            (m, dir) -> train(m, "two_outputs", npz(dir, "x_features", floats(ROWS, 4), "y_age",
                floats(ROWS, 0), "y_gender", withValue(zeros(ROWS), 3, 2)))),
        row("two outputs: NaN in one output's test labels (find)",
            List.of("y_age_test[5] in '", "is NaN; lrfinder trains on finite numbers only"),
            (m, dir) -> find(m, "two_outputs", npz(dir, "x_features", floats(ROWS, 4), "y_age",
                floats(ROWS, 0), "y_gender", zeros(ROWS), "x_features_test", floats(ROWS, 4),
                "y_age_test", withValue(zeros(ROWS), 5, Float.NaN), "y_gender_test",
                zeros(ROWS)), dir)),
        row("two outputs: labels of the wrong shape (train)",
            List.of("shape [64, 2] of y_age in '", "does not fit the model, which expects"
                + " [batch, 1]"),
            (m, dir) -> train(m, "two_outputs", npz(dir, "x_features", floats(ROWS, 4), "y_age",
                floats(ROWS, 2), "y_gender", zeros(ROWS)))),
        row("two outputs: a CSV without one output's column (train)",
            List.of("has no column 'gender' for the labels of output 'gender' (each output's"
                + " labels are the column of its name); columns: f0, f1, f2, f3, age"),
            (m, dir) -> train(m, "two_outputs", csv(dir, "f0,f1,f2,f3,age", "1,2,3,4,5"))),
        row("two outputs: a CSV with a column too many for the one input (find)",
            List.of("shape [64, 5] of the feature columns of '", "does not fit the model, which"
                + " expects [batch, 4]"),
            (m, dir) -> find(m, "two_outputs", csv(dir, "id,f0,f1,f2,f3,age,gender",
                "7,1,2,3,4,5,1"), dir)),
        row("CSV by name: no column for one input (train)",
            List.of("has no column 'rooms' for input 'rooms' (each input is fed by the column of"
                + " its name); columns: id, city, price"),
            (m, dir) -> train(m, "one_column", csv(dir, "id,city,price", "1,Oslo,100"))),
        row("CSV by name: a word in the number column (find)",
            List.of("line 5 column 'rooms' is not a number: 'three'"),
            (m, dir) -> find(m, "one_column", csv(dir, "city,rooms,price", "Oslo,3,100",
                3, "Lyon,three,90"), dir)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void badDataIsRefusedInOneLineAndChangesNothing(String name, Scenario scenario,
      List<String> fragments, @TempDir Path dir) throws IOException {
    assumeTrue(models.isPresent(), "no .venv: the contract v2 models cannot be built");
    BadDataTableTest.Case c = scenario.build(models.get(), dir);
    String line = MainTest.badInput(c.watched(), c.args().toArray(String[]::new));
    for (String fragment : fragments) {
      assertTrue(line.contains(fragment), "'" + fragment + "' not in: " + line);
    }
  }

  private static Arguments row(String name, List<String> fragments, Scenario scenario) {
    return Arguments.of(name, scenario, fragments);
  }

  private static BadDataTableTest.Case train(Path models, String model, Path data) {
    Path dir = models.resolve(model);
    return new BadDataTableTest.Case(List.of("train", dir.toString(), "--data", data.toString(),
        "--steps", "2", "--batch-size", "32"), List.of(dir, data));
  }

  private static BadDataTableTest.Case find(Path models, String model, Path data, Path work) {
    Path dir = models.resolve(model);
    Path out = work.resolve("report");
    List<String> args = new ArrayList<>(List.of("find", dir.toString(), "--data",
        data.toString(), "--steps", "5", "--batch-size", "32", "--out", out.toString()));
    return new BadDataTableTest.Case(args, List.of(dir, data, out));
  }

  private static Path npz(Path dir, Object... namesAndArrays) throws IOException {
    return RawNpy.npz(dir.resolve("data.npz"), namesAndArrays);
  }

  /** A CSV of {@code ROWS} rows: {@code row} everywhere but row {@code at}, which is {@code other}. */
  private static Path csv(Path dir, String header, String row, int at, String other)
      throws IOException {
    StringBuilder text = new StringBuilder(header).append('\n');
    for (int i = 0; i < ROWS; i++) {
      text.append(i == at ? other : row).append('\n');
    }
    Path file = dir.resolve("data.csv");
    Files.writeString(file, text);
    return file;
  }

  private static Path csv(Path dir, String header, String row) throws IOException {
    return csv(dir, header, row, -1, row);
  }

  /** A (rows) or (rows, cols) float32 array of small distinct values. */
  private static HostArray floats(int rows, int cols) {
    float[] values = new float[cols == 0 ? rows : rows * cols];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 7) / 7f;
    }
    return HostArray.ofFloats(cols == 0 ? new long[] {rows} : new long[] {rows, cols}, values);
  }

  private static HostArray zeros(int rows) {
    return HostArray.ofFloats(new long[] {rows}, new float[rows]);
  }

  private static HostArray withValue(HostArray array, int at, float value) {
    float[] values = new float[Math.toIntExact(array.elementCount())];
    for (int i = 0; i < values.length; i++) {
      values[i] = i == at ? value : (float) array.getDouble(i);
    }
    return HostArray.ofFloats(array.shape(), values);
  }

  private static HostArray strings(int rows, int cols) {
    String[] values = new String[cols == 0 ? rows : rows * cols];
    for (int i = 0; i < values.length; i++) {
      values[i] = "city " + (i % 5);
    }
    return HostArray.ofStrings(cols == 0 ? new long[] {rows} : new long[] {rows, cols}, values);
  }

  /** x_city as numpy writes an object array (np.save with allow_pickle): descr '|O'. */
  private static Path pickled(Path dir) throws IOException {
    Path plain = npz(dir, "x_size", floats(ROWS, 3), "y", floats(ROWS, 0));
    byte[] objects = RawNpy.v1("{'descr': '|O', 'fortran_order': False, 'shape': (64,), }",
        new byte[] {(byte) 0x80, 4, 'N', '.'});
    Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(plain.toFile())) {
      for (String name : List.of("x_size.npy", "y.npy")) {
        entries.put(name, zip.getInputStream(zip.getEntry(name)).readAllBytes());
      }
    }
    entries.put("x_city.npy", objects);
    Files.delete(plain);
    return RawNpy.storedZip(dir.resolve("data.npz"), entries);
  }
}
