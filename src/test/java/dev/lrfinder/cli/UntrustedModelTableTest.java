package dev.lrfinder.cli;

import static dev.lrfinder.safety.TamperedModels.node;
import static dev.lrfinder.safety.TamperedModels.stringConst;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.TestFiles;
import dev.lrfinder.TestPaths;
import dev.lrfinder.safety.TamperedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * Untrusted models in the bad-input table: bundled SavedModels with a file, Python, checkpoint or
 * unknown op added (in a layer's function or the graph, on both training paths) are refused by
 * find, train and inspect before anything of them runs: exit 2, one line naming the op, its node
 * and function, the model and the files it targets unchanged. With --trust-model the added write
 * really happens, so the refusal is what keeps the file away.
 */
class UntrustedModelTableTest {
  @TempDir
  static Path tmp;

  private static Path data;
  private static Path victims;
  private static Path directWriter;
  private static Path exportedReader;
  private static Path exportedInitWriter;
  private static Path pythonLayer;
  private static Path checkpointLayer;
  private static Path unknownOp;
  private static Path printToFile;
  private static Path notAProtobuf;

  /** The Keras 2 model's call functions ({@code training} true and false), where layers run. */
  private static final String MODEL_CALL = "blobs_mlp_layer_call_and_return_conditional_losses";
  private static final String DENSE_CALL = "_dense_layer_call_and_return_conditional_losses";

  @BeforeAll
  static void buildTamperedModels() throws IOException {
    data = TestPaths.data("blobs_mlp");
    victims = Files.createDirectories(tmp.resolve("victims"));
    Path keras2 = TestPaths.model("keras2/blobs_mlp");
    Path exported = TestPaths.model("blobs_mlp");

    directWriter = TestFiles.copyTree(keras2, tmp.resolve("direct_writer"));
    assertEquals(2, TamperedModels.addToFunctions(directWriter, f -> f.contains(MODEL_CALL),
        TamperedModels.writeFileInFunction("evil", victims.resolve("written.txt"), "pwned")));

    exportedReader = TestFiles.copyTree(exported, tmp.resolve("exported_reader"));
    TamperedModels.addGraphNodes(exportedReader, stringConst("evil/path", "/etc/hostname"),
        node("evil/ReadFile", "ReadFile", "evil/path"));

    exportedInitWriter = TestFiles.copyTree(exported, tmp.resolve("exported_init_writer"));
    addInitOpWrite(exportedInitWriter, victims.resolve("init.txt"));

    pythonLayer = layerWith("python_layer", node("py", "EagerPyFunc", "inputs"));
    checkpointLayer = layerWith("checkpoint_layer", node("dump", "SaveV2", "inputs"));
    unknownOp = layerWith("unknown_op", node("odd", "Frobnicate", "inputs"));
    printToFile = layerWith("print_to_file", node("leak", "PrintV2", "inputs").toBuilder()
        .putAttr("output_stream", AttrValue.newBuilder().setS(com.google.protobuf.ByteString
            .copyFromUtf8("file://" + victims.resolve("printed.txt"))).build()).build());

    notAProtobuf = TestFiles.copyTree(keras2, tmp.resolve("not_a_protobuf"));
    Files.write(notAProtobuf.resolve("saved_model.pb"), "not a protobuf\n"
        .getBytes(StandardCharsets.UTF_8));
  }

  private static Path layerWith(String name, NodeDef node) {
    Path dir = TestFiles.copyTree(TestPaths.model("keras2/blobs_mlp"), tmp.resolve(name));
    assertTrue(TamperedModels.addToFunctions(dir, f -> f.contains(DENSE_CALL), node) > 0);
    return dir;
  }

  /** A graph-level WriteFile made the SavedModel's init op, which TensorFlow runs at load. */
  private static void addInitOpWrite(Path dir, Path target) {
    TamperedModels.addGraphNodes(dir, stringConst("evil/path", target.toString()),
        stringConst("evil/contents", "pwned"),
        node("evil/WriteFile", "WriteFile", "evil/path", "evil/contents"),
        node("evil/init", "NoOp", "^evil/WriteFile"));
    TamperedModels.setInitOp(dir, "evil/init");
  }

  static Stream<Arguments> rows() {
    String d = data.toString();
    String report = tmp.resolve("report").toString();
    String writes = "op WriteFile (node 'evil_write' in function '__inference_" + MODEL_CALL;
    return Stream.of(
        row("find: a Keras 2 layer that writes a file", writes,
            List.of(directWriter, victims), "find", directWriter, "--data", d, "--steps", "5",
            "--out", report),
        row("find: the refusal counts the other unsafe nodes",
            "(and 1 more unsafe node; lrfinder inspect lists them)",
            List.of(directWriter, victims), "find", directWriter, "--data", d, "--steps", "5",
            "--out", report),
        row("train: a Keras 2 layer that writes a file", writes,
            List.of(directWriter, victims), "train", directWriter, "--data", d, "--steps", "2"),
        row("inspect: a Keras 2 layer that writes a file", writes,
            List.of(directWriter, victims), "inspect", directWriter),
        row("inspect --json: a Keras 2 layer that writes a file", writes,
            List.of(directWriter, victims), "inspect", directWriter, "--json"),
        row("find: an exported model's graph reads a file",
            "op ReadFile (node 'evil/ReadFile' in the graph) reads, writes, lists or maps files",
            List.of(exportedReader), "find", exportedReader, "--data", d, "--steps", "5",
            "--out", report),
        row("inspect: an exported model's init op writes a file",
            "op WriteFile (node 'evil/WriteFile' in the graph)",
            List.of(exportedInitWriter, victims), "inspect", exportedInitWriter),
        row("find: an exported model's init op writes a file",
            "op WriteFile (node 'evil/WriteFile' in the graph)",
            List.of(exportedInitWriter, victims), "find", exportedInitWriter, "--data", d,
            "--out", report),
        row("train: a layer calls Python", "op EagerPyFunc (node 'py' in function '__inference",
            List.of(pythonLayer), "train", pythonLayer, "--data", d, "--steps", "2"),
        row("find: a layer saves a checkpoint outside the saver",
            "op SaveV2 (node 'dump' in function '__inference", List.of(checkpointLayer), "find",
            checkpointLayer, "--data", d, "--out", report),
        row("inspect: an op on no list", "op Frobnicate (node 'odd' in function '__inference",
            List.of(unknownOp), "inspect", unknownOp),
        row("train: PrintV2 to a file", "op PrintV2 (node 'leak' in function",
            List.of(printToFile, victims), "train", printToFile, "--data", d, "--steps", "2"),
        row("inspect: saved_model.pb is not a protobuf",
            "is truncated or corrupt: it does not parse as a SavedModel",
            List.of(notAProtobuf), "inspect", notAProtobuf));
  }

  private static Arguments row(String name, String fragment, List<Path> watched,
      Object... args) {
    return Arguments.of(name, Stream.of(args).map(Object::toString).toArray(String[]::new),
        fragment, watched);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void refused(String name, String[] args, String fragment, List<Path> watched) {
    String line = MainTest.badInput(watched, args);
    assertTrue(line.contains(fragment), line);
    assertTrue(line.contains("--trust-model") || fragment.contains("does not parse"), line);
    try (Stream<Path> left = Files.list(victims)) {
      assertEquals(List.of(), left.toList(), "nothing may be written by a refused model");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // --- with --trust-model the tampered models really do what the scan refuses ---------------

  @Test
  void trustedTheKeras2LayerWritesItsFile(@TempDir Path own) throws IOException {
    Path target = own.resolve("written.txt");
    Path model = TestFiles.copyTree(TestPaths.model("keras2/blobs_mlp"), own.resolve("model"));
    TamperedModels.addToFunctions(model, f -> f.contains(MODEL_CALL),
        TamperedModels.writeFileInFunction("evil", target, "pwned"));
    MainTest.Run refused = MainTest.run("train", model.toString(), "--data", data.toString(),
        "--steps", "1");
    assertEquals(2, refused.exitCode(), refused.err());
    assertFalse(Files.exists(target));

    MainTest.Run trusted = MainTest.run("train", model.toString(), "--data", data.toString(),
        "--steps", "1", "--trust-model");
    assertEquals(0, trusted.exitCode(), trusted.err());
    assertTrue(trusted.err().contains("lrfinder: note: --trust-model: '" + model + "' runs"
        + " without lrfinder's safety check of its ops"), trusted.err());
    assertEquals("pwned", Files.readString(target));
  }

  @Test
  void trustedInspectRunsTheExportedInitOp(@TempDir Path own) throws IOException {
    Path target = own.resolve("init.txt");
    Path model = TestFiles.copyTree(TestPaths.model("blobs_mlp"), own.resolve("model"));
    addInitOpWrite(model, target);
    MainTest.Run refused = MainTest.run("inspect", model.toString());
    assertEquals(2, refused.exitCode(), refused.err());
    assertFalse(Files.exists(target));

    MainTest.Run trusted = MainTest.run("inspect", model.toString(), "--trust-model");
    assertEquals(0, trusted.exitCode(), trusted.err());
    assertEquals("pwned", Files.readString(target));
    assertTrue(trusted.out().contains("safety       UNSAFE: 1 of "), trusted.out());
    assertTrue(trusted.out().contains("(op types WriteFile); run anyway because of"
        + " --trust-model"), trusted.out());
  }

  // --- what inspect shows ------------------------------------------------------------------

  @Test
  void inspectListsTheFindingsOfAnUnsafeModelAndLoadsNothing() throws IOException {
    MainTest.Run text = MainTest.run("inspect", directWriter.toString());
    assertEquals(2, text.exitCode());
    assertTrue(text.out().contains("path         direct, not loaded: the model is unsafe"),
        text.out());
    assertTrue(text.out().contains("(op types WriteFile); nothing of it was run"), text.out());
    assertEquals(2, text.out().lines().filter(l -> l.startsWith("  op WriteFile (node"
        + " 'evil_write' in function '__inference_" + MODEL_CALL)).count(), text.out());

    MainTest.Run json = MainTest.run("inspect", directWriter.toString(), "--json");
    assertEquals(2, json.exitCode());
    JsonNode safety = new ObjectMapper().readTree(json.out()).get("safety");
    assertFalse(safety.get("safe").asBoolean());
    assertFalse(safety.get("trusted").asBoolean());
    assertEquals(2, safety.get("findings").size());
    JsonNode first = safety.get("findings").get(0);
    assertEquals("WriteFile", first.get("op").asText());
    assertEquals("evil_write", first.get("node").asText());
    assertTrue(first.get("function").asText().contains(MODEL_CALL));
    assertEquals("files", first.get("concern").asText());
  }

  @Test
  void inspectSaysABundledModelIsSafe() throws IOException {
    MainTest.Run text = MainTest.run("inspect", TestPaths.model("keras2/mnist_cnn").toString());
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().lines().anyMatch(l -> l.matches("safety       safe: [0-9,]+ nodes of"
        + " [0-9]+ op types \\(graph and [0-9]+ functions\\), all on lrfinder's allow-list")),
        text.out());
    MainTest.Run json = MainTest.run("inspect", TestPaths.model("blobs_mlp").toString(),
        "--json");
    JsonNode safety = new ObjectMapper().readTree(json.out()).get("safety");
    assertTrue(safety.get("safe").asBoolean());
    assertEquals(0, safety.get("findings").size());
    assertTrue(safety.get("op_types").toString().contains("\"SaveV2\""), safety.toString());
  }
}
