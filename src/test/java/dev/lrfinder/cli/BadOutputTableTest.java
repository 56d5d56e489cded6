package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestFiles;
import dev.lrfinder.TestPaths;
import dev.lrfinder.report.FaultyDisk;
import dev.lrfinder.report.FileOpener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input table for outputs (issue 10, section 2): report directories and batch-order
 * files that must not be written where asked, places that take no files, a disk that fills up,
 * and optimizer lists that name one twice. Each row: exit 2, one plain line naming the cause,
 * and every watched file unchanged (a copy of the model, earlier reports, the user's files).
 * Rows that are refused only after the model is loaded still end before any training: the
 * progress line of a trained optimizer would be a second line on stderr.
 */
class BadOutputTableTest {
  @TempDir static Path work;

  /**
   * What a row runs in its own directory {@code dir}, which holds a copy of blobs_mlp as model/.
   * A faulty {@code disk} fails only after the training, whose progress lines come first then.
   */
  record Case(List<String> args, List<Path> watched, FileOpener disk) {
    Case(List<String> args, List<Path> watched) {
      this(args, watched, FileOpener.DISK);
    }

    boolean trainsFirst() {
      return disk != FileOpener.DISK;
    }
  }

  /** {@code expected}: a fragment of the message, {@code {dir}} standing for the row's directory. */
  record Row(String name, String expected, Function<Path, Case> setup) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** {@code find <dir>/model} on 20 steps of adam, then {@code extra}. */
  private static List<String> find(Path dir, String... extra) {
    List<String> args = new ArrayList<>(List.of("find", dir.resolve("model").toString(),
        "--optimizers", "adam", "--steps", "20", "--batch-size", "32"));
    args.addAll(List.of(extra));
    return args;
  }

  private static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path link(Path link, Path target) {
    try {
      return Files.createSymbolicLink(link, target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Row> rows() {
    return Stream.of(
        new Row("--batch-order onto the model's variables.index", "already exists", dir ->
            new Case(find(dir, "--batch-order",
                dir.resolve("model/variables/variables.index").toString()), List.of(dir))),
        new Row("--batch-order onto an earlier report's result.json", "already exists", dir -> {
          Path earlier = write(dir.resolve("earlier/result.json"), "{\"an\": \"earlier report\"}");
          return new Case(find(dir, "--batch-order", earlier.toString()), List.of(dir));
        }),
        new Row("--batch-order as a new file in the model directory",
            "is inside the model directory", dir -> new Case(
                find(dir, "--batch-order", dir.resolve("model/order.npy").toString()),
                List.of(dir))),
        new Row("--batch-order through a link to the model directory",
            "is inside the model directory", dir -> {
              Path linked = link(dir.resolve("linked"), dir.resolve("model"));
              return new Case(find(dir, "--batch-order", linked.resolve("order.npy").toString()),
                  List.of(dir));
            }),
        new Row("--batch-order with .. after a link into the model",
            "is inside the model directory", dir -> {
              // Textually dir/order.npy, but the OS resolves the link first: model/order.npy.
              Path variables = link(dir.resolve("vars"), dir.resolve("model/variables"));
              return new Case(find(dir, "--batch-order", variables + "/../order.npy"),
                  List.of(dir));
            }),
        new Row("--batch-order a dangling link", "already exists", dir -> {
          Path dangling = link(dir.resolve("order.npy"), dir.resolve("elsewhere.npy"));
          return new Case(find(dir, "--batch-order", dangling.toString()), List.of(dir));
        }),
        new Row("--batch-order in a missing directory", "does not exist", dir ->
            new Case(find(dir, "--batch-order", dir.resolve("missing/order.npy").toString()),
                List.of(dir))),
        new Row("--batch-order inside --out", "is inside --out", dir -> new Case(
            find(dir, "--out", dir.resolve("report").toString(),
                "--batch-order", dir.resolve("report/order.npy").toString()), List.of(dir))),
        new Row("--batch-order under /proc", "cannot write the file '/proc/self/order.npy': ",
            dir -> new Case(find(dir, "--batch-order", "/proc/self/order.npy"), List.of(dir))),
        new Row("--out in the model directory", "is inside the model directory", dir ->
            new Case(find(dir, "--out", dir.resolve("model/report").toString()), List.of(dir))),
        new Row("--out the model directory itself", "is inside the model directory", dir ->
            new Case(find(dir, "--out", dir.resolve("model").toString()), List.of(dir))),
        new Row("--out through a link to the model directory", "is inside the model directory",
            dir -> {
              Path linked = link(dir.resolve("linked"), dir.resolve("model"));
              return new Case(find(dir, "--out", linked.resolve("report").toString()),
                  List.of(dir));
            }),
        new Row("--out under /proc", "cannot write the report to '/proc/self/lrfinder-report': ",
            dir -> new Case(find(dir, "--out", "/proc/self/lrfinder-report"), List.of(dir))),
        new Row("--out under /sys", "cannot write the report to '/sys/lrfinder-report': ",
            dir -> new Case(find(dir, "--out", "/sys/lrfinder-report"), List.of(dir))),
        new Row("--out below a regular file", "is not a directory", dir -> {
          Path file = write(dir.resolve("notes.txt"), "mine");
          return new Case(find(dir, "--out", file.resolve("report").toString()), List.of(dir));
        }),
        new Row("--out below a device", "'/dev/null' is not a directory", dir ->
            new Case(find(dir, "--out", "/dev/null/report"), List.of(dir))),
        new Row("--out with a name too long", "file name too long", dir ->
            new Case(find(dir, "--out", dir.resolve("r".repeat(300)).toString()), List.of(dir))),
        new Row("--out an existing file", "exists and is not a directory", dir -> {
          Path file = write(dir.resolve("report"), "mine");
          return new Case(find(dir, "--out", file.toString()), List.of(dir));
        }),
        new Row("--out a directory with files", "is not empty", dir -> {
          write(dir.resolve("report/index.html"), "an earlier report");
          return new Case(find(dir, "--out", dir.resolve("report").toString()), List.of(dir));
        }),
        new Row("a full disk writing the report",
            "no space left on device writing {dir}/report/result.json", dir ->
            new Case(find(dir, "--out", dir.resolve("report").toString(), "--batch-order",
                dir.resolve("order.npy").toString()), List.of(dir),
                FaultyDisk.fullWriting("result.json", 100))),
        new Row("a full disk writing the batch order",
            "no space left on device writing {dir}/order.npy", dir -> new Case(find(dir, "--out", dir.resolve("report").toString(),
                "--batch-order", dir.resolve("order.npy").toString()), List.of(dir),
                FaultyDisk.fullWriting("order.npy", 64))),
        new Row("--optimizers adam,adam", "names 'adam' twice", dir -> new Case(
            List.of("find", dir.resolve("model").toString(), "--optimizers", "adam,adam"),
            List.of(dir))),
        new Row("--optimizers adam,sgd,adam with other settings", "names 'adam' twice", dir ->
            new Case(List.of("find", dir.resolve("model").toString(), "--steps", "5",
                "--optimizers", "adam, sgd ,adam"), List.of(dir))),
        new Row("--optimizers with no key", "names no optimizer", dir -> new Case(
            List.of("find", dir.resolve("model").toString(), "--optimizers", " , "),
            List.of(dir))),
        new Row("inspect --optimizers sgd,sgd", "names 'sgd' twice", dir -> new Case(
            List.of("inspect", TestPaths.model("keras2/blobs_mlp").toString(),
                "--optimizers", "sgd,sgd"), List.of(dir, TestPaths.model("keras2/blobs_mlp")))));
  }

  private static final List<String> NAMES = rows().map(Row::name).toList();

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void refused(Row row) throws IOException {
    Path dir = Files.createDirectory(work.resolve("row-" + NAMES.indexOf(row.name())));
    TestFiles.copyTree(TestPaths.model("blobs_mlp"), dir.resolve("model"));
    Files.copy(TestPaths.data("blobs_mlp"), dir.resolve("model.npz"));
    Case c = row.setup().apply(dir);
    List<String> before = listing(dir);

    String[] args = c.args().toArray(String[]::new);
    String error = c.trainsFirst() ? afterTraining(new Main(c.disk()), c.watched(), args)
        : MainTest.badInput(c.watched(), args);

    assertTrue(error.contains(row.expected().replace("{dir}", dir.toString())), error);
    assertEquals(before, listing(dir), "nothing created or removed (hidden files included)");
  }

  /**
   * {@link MainTest#badInput} for a failure after the training: exit 2, the progress line of
   * every trained optimizer, then one plain error line; the watched files unchanged.
   */
  private static String afterTraining(Main main, List<Path> watched, String... args) {
    List<String> before = watched.stream().map(MainTest::checksum).toList();
    MainTest.Run result = MainTest.run(main, args);
    assertEquals(2, result.exitCode(), result.err());
    List<String> lines = result.err().lines().toList();
    for (String progress : lines.subList(0, lines.size() - 1)) {
      assertTrue(progress.matches("adam +\\d+/\\d+ steps, .*"), "a progress line: " + progress);
    }
    String error = lines.get(lines.size() - 1);
    assertTrue(error.startsWith("lrfinder: error: "), result.err());
    for (String internal : MainTest.INTERNALS) {
      assertFalse(result.err().contains(internal), "'" + internal + "' in: " + result.err());
    }
    assertEquals(before, watched.stream().map(MainTest::checksum).toList());
    return error;
  }

  /** Every path under {@code dir}, links and hidden directories included. */
  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }
}
