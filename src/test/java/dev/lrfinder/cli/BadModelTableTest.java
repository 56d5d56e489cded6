package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lrfinder.TestFiles;
import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.proto.SavedModel;

/**
 * Bad models, one row each: a bundled model (or fixture) copied into a temporary directory and
 * damaged there, then given to {@code inspect}, {@code find} or {@code train}. Every row must end
 * with exit 2 and one plain line naming the cause ({@link MainTest#badInput}), the damaged copy,
 * the bundled original and its data unchanged, and no report written.
 */
class BadModelTableTest {
  private static final Path EXPORTED = TestPaths.model("blobs_mlp");
  private static final Path DIRECT = TestPaths.model("keras2/blobs_mlp");
  private static final String DATA = "variables/variables.data-00000-of-00001";
  private static final String INDEX = "variables/variables.index";

  /** Damage done to the copy of a model. */
  @FunctionalInterface
  interface Damage {
    void apply(Path model) throws IOException;
  }

  /**
   * @param source the bundled model that is copied and damaged
   * @param command inspect, find or train
   * @param fragment what the one line must say
   * @param watchCopy whether the damaged copy is checksummed too (not when it cannot be read)
   */
  record Row(Path source, Damage damage, String command, String fragment, boolean watchCopy) {}

  static Stream<Arguments> rows() {
    List<Arguments> rows = new ArrayList<>();
    add(rows, "direct: truncated data file", DIRECT, m -> truncate(m.resolve(DATA), 100),
        "train", DATA + "' is truncated: it holds 100 bytes");
    add(rows, "exported: truncated data file", EXPORTED, m -> truncate(m.resolve(DATA), 100),
        "find", DATA + "' is truncated: it holds 100 bytes");
    add(rows, "direct: data file flipped (checksum)", DIRECT, m -> flipMiddle(m.resolve(DATA)),
        "train", DATA + "' is corrupt: a tensor's bytes fail their checksum");
    add(rows, "exported: data file flipped (checksum)", EXPORTED,
        m -> flipMiddle(m.resolve(DATA)), "inspect",
        DATA + "' is corrupt: a tensor's bytes fail their checksum");
    add(rows, "direct: no variables directory", DIRECT,
        m -> TestFiles.deleteTree(m.resolve("variables")),
        "inspect", "has no variables/ directory: the model's weights are missing");
    add(rows, "exported: no variables directory", EXPORTED,
        m -> TestFiles.deleteTree(m.resolve("variables")),
        "train", "has no variables/ directory: the model's weights are missing");
    add(rows, "direct: checkpoint beside saved_model.pb, not in variables/", DIRECT, m -> {
      try (Stream<Path> files = Files.list(m.resolve("variables"))) {
        for (Path file : files.toList()) {
          Files.move(file, m.resolve(file.getFileName()));
        }
      }
      Files.delete(m.resolve("variables"));
    }, "find", "its checkpoint (variables.index, variables.data-00000-of-00001) lies beside"
        + " saved_model.pb, but a SavedModel keeps it in variables/: move them into '");
    add(rows, "exported: no variables.index", EXPORTED, m -> Files.delete(m.resolve(INDEX)),
        "train", INDEX + "' is missing; it should be a checkpoint index");
    add(rows, "direct: no data file", DIRECT, m -> Files.delete(m.resolve(DATA)),
        "find", DATA + "' is missing; it should be a checkpoint data file");
    add(rows, "direct: variables is a symlink loop", DIRECT, m -> {
      TestFiles.deleteTree(m.resolve("variables"));
      Files.createSymbolicLink(m.resolve("variables"), m.resolve("variables"));
    }, "inspect", "variables' is a symbolic link to");
    add(rows, "exported: variables is a file", EXPORTED, m -> {
      TestFiles.deleteTree(m.resolve("variables"));
      Files.writeString(m.resolve("variables"), "weights\n");
    }, "find", "variables' is not a directory");
    add(rows, "direct: index is random bytes", DIRECT, m -> garbage(m.resolve(INDEX), 732),
        "train", INDEX + "' is not a valid checkpoint index");
    add(rows, "exported: index byte flipped", EXPORTED, m -> flip(m.resolve(INDEX), 100),
        "inspect", "does not match its bytes (the file is corrupt)");
    add(rows, "direct: index truncated", DIRECT, m -> truncate(m.resolve(INDEX), 300),
        "find", "the file is truncated");
    add(rows, "direct: index is a named pipe", DIRECT, m -> {
      Files.delete(m.resolve(INDEX));
      mkfifo(m.resolve(INDEX));
    }, "inspect", "is not a regular file (a pipe, socket or device)");
    add(rows, "exported: truncated saved_model.pb", EXPORTED,
        m -> truncate(m.resolve("saved_model.pb"), 1000), "inspect",
        "saved_model.pb' is truncated or corrupt");
    add(rows, "direct: truncated saved_model.pb", DIRECT,
        m -> truncate(m.resolve("saved_model.pb"), 1000), "train",
        "saved_model.pb' is truncated or corrupt");
    add(rows, "direct: saved_model.pb is a directory", DIRECT, m -> {
      Files.delete(m.resolve("saved_model.pb"));
      Files.createDirectory(m.resolve("saved_model.pb"));
    }, "inspect", "saved_model.pb' is a directory");
    add(rows, "exported: empty saved_model.pb", EXPORTED,
        m -> truncate(m.resolve("saved_model.pb"), 0), "find", "saved_model.pb' is empty");
    add(rows, "direct: garbage keras_metadata.pb", DIRECT,
        m -> garbage(m.resolve("keras_metadata.pb"), 3000), "train",
        "keras_metadata.pb' is not a valid Keras metadata file");
    add(rows, "direct: keras_metadata.pb is a directory", DIRECT, m -> {
      Files.delete(m.resolve("keras_metadata.pb"));
      Files.createDirectory(m.resolve("keras_metadata.pb"));
    }, "inspect", "keras_metadata.pb' is a directory");
    add(rows, "exported: lrfinder.json is not JSON", EXPORTED,
        m -> Files.writeString(m.resolve("assets/lrfinder.json"), "{garbage"), "inspect",
        "lrfinder.json' is not valid JSON (line 1, column 2)");
    add(rows, "exported: lrfinder.json with a negative learning rate", EXPORTED,
        m -> contract(m, c -> ((ObjectNode) c.get("optimizers").get(0))
            .put("initial_learning_rate", -1)), "train",
        "initial_learning_rate of optimizer 'sgd' is -1; it must be a finite number >= 0");
    add(rows, "exported: lrfinder.json shape not a list", EXPORTED,
        m -> contract(m, c -> ((ObjectNode) c.get("input")).putObject("shape").put("a", 1)),
        "inspect", "the shape of 'input' is not a list");
    add(rows, "exported: contract names a missing signature", EXPORTED,
        m -> contract(m, c -> ((ObjectNode) c.get("optimizers").get(3)).put("key", "nadam")),
        "inspect", "has no signature 'train_nadam', which its training contract requires");
    add(rows, "direct: weights of another model (shapes)", DIRECT, m -> {
      TestFiles.deleteTree(m.resolve("variables"));
      TestFiles.copyTree(TestPaths.model("keras2/mnist_cnn").resolve("variables"),
          m.resolve("variables"));
    }, "train", "holds [64] where its graph declares [3] (are they from different models?)");
    add(rows, "exported: weights of another model (dtypes)", EXPORTED, m -> {
      TestFiles.deleteTree(m.resolve("variables"));
      TestFiles.copyTree(TestPaths.model("mnist_cnn").resolve("variables"),
          m.resolve("variables"));
    }, "find", "in its checkpoint and int64 in its graph");
    add(rows, "direct: graph of another model", DIRECT,
        m -> Files.copy(TestPaths.model("keras2/mnist_cnn").resolve("saved_model.pb"),
            m.resolve("saved_model.pb"), java.nio.file.StandardCopyOption.REPLACE_EXISTING),
        "train", "its checkpoint lacks the variable");
    add(rows, "exported: graph uses an op TensorFlow lacks", EXPORTED,
        m -> renameOp(m, "Relu", "Frobnicate"), "inspect --trust-model",
        "its graph uses the op 'Frobnicate', which this TensorFlow does not have");
    add(rows, "direct: graph uses an op TensorFlow lacks", DIRECT,
        m -> renameOp(m, "Relu", "Frobnicate"), "train --trust-model",
        "it uses the op Frobnicate, which this TensorFlow runtime does not know");
    add(rows, "direct: unreadable index (not as root)", DIRECT, m -> {
      Files.setPosixFilePermissions(m.resolve(INDEX), PosixFilePermissions.fromString("---------"));
      // Root reads any file whatever its mode: the row proves nothing there.
      Assumptions.assumeFalse(Files.isReadable(m.resolve(INDEX)), "running as root");
    }, "train", INDEX + "': permission denied", false);
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void refusedInOneLineAndNothingChanges(String name, Row row, @TempDir Path dir)
      throws IOException {
    Path model = dir.resolve("model");
    TestFiles.copyTree(row.source(), model);
    row.damage().apply(model);
    Path data = TestPaths.data(TestPaths.root().resolve("savedmodels").relativize(row.source())
        .toString());
    Path report = dir.resolve("report");
    // A command may carry options: "train --trust-model" (the safety scan refuses unknown ops
    // first; trusted, the model reaches TensorFlow, whose error must be told in words too).
    List<String> words = List.of(row.command().split(" "));
    String verb = words.get(0);
    List<String> args = new ArrayList<>(List.of(verb, model.toString()));
    args.addAll(words.subList(1, words.size()));
    if (!verb.equals("inspect")) {
      args.addAll(List.of("--data", data.toString(), "--steps", "3", "--batch-size", "8"));
    }
    if (verb.equals("find")) {
      args.addAll(List.of("--out", report.toString()));
    }
    List<Path> watched = new ArrayList<>(List.of(row.source(), data));
    if (row.watchCopy()) {
      watched.add(dir);
    }
    String line = MainTest.badInput(watched, args.toArray(String[]::new));
    assertTrue(line.contains(row.fragment()), line);
    assertFalse(Files.exists(report), "no report for a model that cannot load");
  }

  private static void add(List<Arguments> rows, String name, Path source, Damage damage,
      String command, String fragment) {
    add(rows, name, source, damage, command, fragment, true);
  }

  private static void add(List<Arguments> rows, String name, Path source, Damage damage,
      String command, String fragment, boolean watchCopy) {
    rows.add(Arguments.of(name, new Row(source, damage, command, fragment, watchCopy)));
  }

  private static void truncate(Path file, int length) throws IOException {
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), length));
  }

  private static void flip(Path file, int at) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[at] ^= (byte) 0xff;
    Files.write(file, bytes);
  }

  private static void flipMiddle(Path file) throws IOException {
    flip(file, (int) (Files.size(file) / 2));
  }

  private static void garbage(Path file, int length) throws IOException {
    byte[] bytes = new byte[length];
    new Random(10).nextBytes(bytes);
    Files.write(file, bytes);
  }

  /** Renames op type {@code from} in every function of the graph, as a custom op would look. */
  private static void renameOp(Path model, String from, String to) throws IOException {
    Path file = model.resolve("saved_model.pb");
    SavedModel.Builder saved = SavedModel.parseFrom(Files.readAllBytes(file)).toBuilder();
    var library = saved.getMetaGraphsBuilder(0).getGraphDefBuilder().getLibraryBuilder();
    int renamed = 0;
    for (var function : library.getFunctionBuilderList()) {
      for (var node : function.getNodeDefBuilderList()) {
        if (node.getOp().equals(from)) {
          node.setOp(to);
          renamed++;
        }
      }
    }
    assertTrue(renamed > 0, "no " + from + " in " + file);
    Files.write(file, saved.build().toByteArray());
  }

  /** Edits the model's assets/lrfinder.json. */
  private static void contract(Path model, Consumer<ObjectNode> edit) throws IOException {
    Path file = model.resolve("assets/lrfinder.json");
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(file.toFile());
    edit.accept(root);
    mapper.writeValue(file.toFile(), root);
  }

  private static void mkfifo(Path path) throws IOException {
    try {
      Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
      Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo is not available");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
