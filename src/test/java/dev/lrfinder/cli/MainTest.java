package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.TestPaths;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.NpzFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    return run(new Main(), args);
  }

  /** Runs {@code main}, e.g. one whose outputs go through a faulty disk. */
  static Run run(Main main, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Console console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), TestPaths.root());
    int code = main.run(args, console);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs a command that must fail on bad input: exit 2, one line on stderr, the model untouched. */
  static String badInput(Path modelDir, String... args) {
    return badInput(List.of(modelDir), args);
  }

  /**
   * Runs a command that must fail on bad input: exit 2, one plain line on stderr (no stack trace,
   * no TensorFlow or Java internals) and every file under {@code watched} unchanged (none added,
   * removed or rewritten).
   */
  static String badInput(List<Path> watched, String... args) {
    return badInput(new Main(), watched, args);
  }

  /** {@link #badInput(List, String...)} on {@code main}, e.g. one with a faulty disk. */
  static String badInput(Main main, List<Path> watched, String... args) {
    List<String> before = watched.stream().map(MainTest::checksum).toList();
    Run result = run(main, args);
    assertEquals(2, result.exitCode(), result.err());
    // Notes the command prints on purpose (--trust-model, a left-out metric) may precede the error.
    List<String> lines = result.err().lines().filter(l -> !l.startsWith("lrfinder: note: "))
        .toList();
    assertEquals(1, lines.size(), "one-line error expected, got: " + result.err());
    assertTrue(lines.get(0).startsWith("lrfinder: error: "), lines.get(0));
    for (String internal : INTERNALS) {
      assertFalse(result.err().contains(internal), "'" + internal + "' in: " + result.err());
    }
    assertEquals(before, watched.stream().map(MainTest::checksum).toList(),
        "files under " + watched + " must not change");
    return lines.get(0);
  }

  /** Text that only stack traces, TensorFlow's C++ messages or Java class names contain. */
  static final List<String> INTERNALS = List.of("Exception", "\tat ", "[[{{", "function_node",
      "tensorflow::", "org.tensorflow", "java.", "dev.lrfinder.");

  @Test
  void inspectSaysWhichPathAKeras2SavedModelTakes() throws IOException {
    Run result = run("inspect", TestPaths.model("keras2/mnist_cnn").toString());
    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().contains("path         direct: trainable, 10 variables (10 trainable),"
        + " loss sparse_categorical_crossentropy from training_config"), result.out());
    assertTrue(result.out().contains("input        x: uint8[?, 28, 28, 1]"), result.out());
    Run json = run("inspect", TestPaths.model("keras2/mnist_cnn").toString(), "--json",
        "--optimizers", "sgd_nesterov");
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertEquals("direct", root.get("path").asText());
    assertEquals("sgd_nesterov", root.get("contract").get("optimizers").get(0).get("key").asText());
  }

  @Test
  void inspectPrintsTheContract() {
    Run result = run("inspect", TestPaths.model("blobs_mlp").toString());
    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().contains("input        x: float32[?, 2]"), result.out());
    assertTrue(result.out().contains("loss         sparse_categorical_crossentropy"));
    assertTrue(result.out().contains("sgd_momentum     SGD       0.01"), result.out());
    assertTrue(result.out().contains("TensorFlow 2.18"), result.out());
  }

  @Test
  void inspectJsonParses() throws IOException {
    Run result = run("inspect", TestPaths.model("mnist_cnn").toString(), "--json");
    assertEquals(0, result.exitCode(), result.err());
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertEquals("mnist_cnn", json.at("/contract/modelName").asText());
    assertEquals(0.001, json.at("/learning_rates/adam").asDouble(), 1e-9);
  }

  @Test
  void trainJsonReportsEveryStepAndTheLossFalls() throws IOException {
    Run result = run("train", TestPaths.model("blobs_mlp").toString(), "--optimizer", "adam",
        "--lr", "0.01", "--steps", "60", "--batch-size", "32", "--json");
    assertEquals(0, result.exitCode(), result.err());
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertEquals(60, json.get("steps").size());
    assertEquals(0.01, json.get("learning_rate").asDouble(), 1e-9);
    double before = json.at("/test_before/loss").asDouble();
    double after = json.at("/test_after/loss").asDouble();
    assertTrue(after < before, before + " -> " + after);
  }

  @Test
  void helpWorksOnEveryVerb() {
    for (String verb : List.of("find", "inspect", "train")) {
      Run result = run(verb, "--help");
      assertEquals(0, result.exitCode());
      assertTrue(result.out().startsWith("usage: lrfinder " + verb), result.out());
    }
    assertEquals(0, run("--help").exitCode());
  }

  @Test
  void missingModelDirectory(@TempDir Path dir) {
    String error = badInput(dir, "inspect", dir.resolve("nope").toString());
    assertTrue(error.contains("does not exist"), error);
  }

  @Test
  void directoryThatIsNotASavedModel(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("notes.txt"), "hello");
    String error = badInput(dir, "inspect", dir.toString());
    assertTrue(error.contains("is not a SavedModel"), error);
  }

  @Test
  void inferenceOnlySavedModel() {
    Path plain = TestPaths.fixture("inference_only");
    String error = badInput(plain, "train", plain.toString(), "--data",
        TestPaths.data("blobs_mlp").toString());
    assertTrue(error.contains("neither lrfinder's training contract nor Keras 2 metadata"), error);
    assertTrue(error.contains("scripts/export.py"), error);
  }

  @Test
  void dataWithTheWrongInputShape(@TempDir Path dir) throws IOException {
    Path data = dir.resolve("wide.npz");
    NpzFile.write(data, Map.of("x_train", HostArray.ofFloats(new long[] {4, 3}, new float[12]),
        "y_train", HostArray.ofInts(new long[] {4}, 0, 1, 2, 0)));
    Path model = TestPaths.model("blobs_mlp");
    String error = badInput(model, "train", model.toString(), "--data", data.toString(),
        "--batch-size", "2");
    assertTrue(error.contains("shape [4, 3]") && error.contains("[batch, 2]"), error);
  }

  @Test
  void dataWithTheWrongDtype(@TempDir Path dir) throws IOException {
    Path data = dir.resolve("floats.npz");
    NpzFile.write(data, Map.of(
        "x_train", HostArray.ofFloats(new long[] {2, 28, 28, 1}, new float[2 * 28 * 28]),
        "y_train", HostArray.ofInts(new long[] {2}, 3, 4)));
    Path model = TestPaths.model("mnist_cnn");
    String error = badInput(model, "train", model.toString(), "--data", data.toString(),
        "--batch-size", "2");
    assertTrue(error.contains("float32") && error.contains("uint8"), error);
  }

  @Test
  void emptyDataFile(@TempDir Path dir) throws IOException {
    Path data = Files.createFile(dir.resolve("empty.npz"));
    Path model = TestPaths.model("blobs_mlp");
    String error = badInput(model, "train", model.toString(), "--data", data.toString());
    assertTrue(error.contains("is empty"), error);
  }

  @Test
  void badOptionsAndUnknownOptimizer() {
    Path model = TestPaths.model("blobs_mlp");
    assertTrue(badInput(model, "train", model.toString(), "--steps", "-3").contains("--steps"));
    assertTrue(badInput(model, "train", model.toString(), "--optimizer", "nadam")
        .contains("no optimizer 'nadam'"));
    assertTrue(badInput(model, "train", model.toString(), "--frobnicate").contains("frobnicate"));
    assertTrue(badInput(model, "dance").contains("unknown command"));
  }

  /** SHA-256 over every file's relative path and bytes, so any change on disk shows. */
  static String checksum(Path dir) {
    if (!Files.exists(dir)) {
      return "absent";
    }
    if (Files.isRegularFile(dir)) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(Files.readAllBytes(dir)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Path file : files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
        digest.update(dir.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
        digest.update(Files.readAllBytes(file));
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
