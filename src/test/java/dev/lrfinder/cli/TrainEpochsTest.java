package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --epochs}: the per-epoch lines, the report, the saved model and bad input. */
class TrainEpochsTest {
  @TempDir
  Path temp;

  @Test
  void epochsWriteTheReportAndTheModel() throws IOException {
    Path out = temp.resolve("report");
    Path save = temp.resolve("trained");
    MainTest.Run run = MainTest.run("train", TestPaths.model("blobs_mlp").toString(),
        "--epochs", "3", "--optimizer", "sgd", "--lr", "0.01", "--batch-size", "32",
        "--validation-split", "0.2", "--out", out.toString(), "--save", save.toString(),
        "--json");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertEquals(3, json.get("epochs").size());
    assertEquals(13 * 3, json.get("steps").get("learning_rate").size(),
        "400 rows in batches of 32: 12 and one of 16 per epoch, as Keras's fit");
    assertEquals(100, json.get("validation_rows").asInt(), "the last 20% of 500 rows");
    assertEquals("epochs_done", json.get("stop_reason").asText());
    JsonNode last = json.get("epochs").get(2);
    assertTrue(last.get("validation").get("loss").isNumber(), last.toString());
    assertTrue(last.get("train").get("accuracy").isNumber(), last.toString());
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of("epochs.csv", "index.html", "loss_vs_epoch.png",
          "lr_vs_step.png", "metrics_vs_epoch.png", "steps.csv", "training.json"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    assertEquals(new ObjectMapper().readTree(out.resolve("training.json").toFile()), json);
    List<String> epochLines = Files.readAllLines(out.resolve("epochs.csv"));
    assertEquals(4, epochLines.size(), "a header and 3 epochs");
    assertTrue(epochLines.get(0).startsWith("epoch,steps,complete,learning_rate,loss,accuracy,"
        + "val_loss,val_accuracy"), epochLines.get(0));
    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("<svg") && html.contains("Training: blobs_mlp"), "the page");
    assertTrue(Files.exists(save.resolve("saved_model.pb"))
        && Files.exists(save.resolve("variables/variables.index")), "the saved model");
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(2, left.count(), "no staging directory left");
    }

    // The saved model trains on: the next epoch starts where these ended.
    MainTest.Run again = MainTest.run("train", save.toString(), "--data",
        TestPaths.data("blobs_mlp").toString(), "--epochs", "1", "--optimizer", "sgd", "--lr",
        "0.01", "--batch-size", "32", "--validation-split", "0.2", "--out",
        temp.resolve("again").toString(), "--json");
    assertEquals(0, again.exitCode(), again.err());
    double before = json.get("epochs").get(0).get("train").get("loss").asDouble();
    double after = new ObjectMapper().readTree(again.out()).get("epochs").get(0).get("train")
        .get("loss").asDouble();
    assertTrue(after < before, "the saved model is the trained one: " + after + " vs " + before);
  }

  @Test
  void aFullDiskLeavesNoHalfReportAndNoModel() throws IOException {
    Path out = temp.resolve("report");
    Path save = temp.resolve("trained");
    MainTest.Run run = MainTest.run(new Main(dev.lrfinder.report.FaultyDisk.fullWriting(
        "index.html", 1000)), "train", TestPaths.model("blobs_mlp").toString(), "--epochs", "2",
        "--out", out.toString(), "--save", save.toString());
    assertEquals(2, run.exitCode(), run.err());
    assertEquals(1, run.err().lines().filter(l -> l.startsWith("lrfinder: error:")).count(),
        run.err());
    assertTrue(run.err().contains("no space left on device"), run.err());
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(List.of(), left.toList(), "no report, no model, no staging");
    }
  }

  @Test
  void stepsModeSavesToo() throws IOException {
    Path save = temp.resolve("stepped");
    MainTest.Run run = MainTest.run("train", TestPaths.model("keras2/blobs_mlp").toString(),
        "--steps", "5", "--optimizer", "sgd", "--save", save.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("then written to " + save), run.out());
    assertTrue(Files.exists(save.resolve("saved_model.pb")));
    assertTrue(Files.exists(save.resolve("keras_metadata.pb"))
        || !Files.exists(TestPaths.model("keras2/blobs_mlp").resolve("keras_metadata.pb")),
        "a copy of the Keras 2 SavedModel, its metadata included");
  }

  @Test
  void aScheduleAndRulesFromTheCommandLine() throws IOException {
    MainTest.Run run = MainTest.run("train", TestPaths.model("blobs_mlp").toString(),
        "--epochs", "6", "--optimizer", "sgd", "--batch-size", "50", "--schedule",
        "step:lr=0.02,drop=0.5,every=2", "--early-stopping", "monitor=loss,patience=10",
        "--out", temp.resolve("report").toString(), "--json");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode json = new ObjectMapper().readTree(run.out());
    JsonNode rates = json.get("steps").get("learning_rate");
    assertEquals(60, rates.size(), "500 test-validated rows in 10 batches of 50, 6 epochs");
    // Step decay lr0 * drop^floor((1 + epoch) / every): 0.02, 0.01, 0.01, 0.005, 0.005, 0.0025.
    double[] perEpoch = {0.02, 0.01, 0.01, 0.005, 0.005, 0.0025};
    for (int e = 0; e < 6; e++) {
      assertEquals(perEpoch[e], rates.get(10 * e).asDouble(), 1e-15, "epoch " + (e + 1));
      assertEquals(perEpoch[e], json.get("epochs").get(e).get("learning_rate").asDouble(),
          1e-15);
    }
    assertTrue(json.get("config").get("rules").get(0).asText().startsWith("EarlyStopping"));
    assertEquals("the test split (x_test/y_test)", json.get("config").get("validation")
        .asText());
  }

  @Test
  void anInterruptWhileTrainingWritesNothing() throws Exception {
    Path out = temp.resolve("report");
    Path save = temp.resolve("trained");
    String[] args = {"train", TestPaths.model("blobs_mlp").toString(), "--epochs", "1000000",
        "--optimizer", "sgd", "--lr", "1e-6", "--out", out.toString(), "--save",
        save.toString()};
    java.util.concurrent.atomic.AtomicReference<MainTest.Run> result =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread thread = new Thread(() -> result.set(MainTest.run(args)), "train-under-test");
    thread.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!staged() && thread.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(500); // into the epochs
    thread.interrupt();
    thread.join(120_000);
    assertFalse(thread.isAlive(), "train did not end after the interrupt");
    MainTest.Run run = result.get();
    assertEquals(130, run.exitCode(), run.err());
    List<String> lines = run.err().lines().toList();
    assertEquals("lrfinder: interrupted; " + TrainCommand.NOTHING_KEPT,
        lines.get(lines.size() - 1), run.err());
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(List.of(), left.toList(), "no report, no model, no staging");
    }
  }

  private boolean staged() throws IOException {
    try (Stream<Path> entries = Files.list(temp)) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith(".report.partial-"));
    }
  }

  @Test
  void badInputExitsTwoWithOneLine() throws IOException {
    Path model = TestPaths.model("blobs_mlp");
    String m = model.toString();
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "0").contains("--epochs"));
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "2", "--steps", "3")
        .contains("exclude each other"));
    assertTrue(MainTest.badInput(model, "train", m, "--out", temp.resolve("r").toString())
        .contains("--out needs --epochs"));
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "1", "--validation-split", "1.5")
        .contains("--validation-split"));
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "1", "--validation-split",
        "0.999").contains("leaves no rows"));
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "1", "--save",
        model.resolve("copy").toString()).contains("overlaps the model directory"));
    Path taken = Files.createDirectories(temp.resolve("taken"));
    Files.writeString(taken.resolve("keep.txt"), "mine");
    assertTrue(MainTest.badInput(List.of(model, taken), "train", m, "--epochs", "1", "--save",
        taken.toString()).contains("already exists"));
    assertTrue(MainTest.badInput(List.of(model, taken), "train", m, "--epochs", "1", "--out",
        taken.toString()).contains("not empty"));
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "1", "--batch-size", "1000")
        .contains("fewer than the batch size"));
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "2", "--schedule",
        "triangular:min=1e-4,max=1e-2,step=5", "--plateau", "patience=2")
        .contains("needs a constant schedule"));
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "2", "--schedule", "sawtooth")
        .contains("sawtooth"));
    assertTrue(MainTest.badInput(model, "train", m, "--epochs", "2", "--plateau", "factor=2")
        .contains("factor"));
    Path noTest = temp.resolve("train-only.npz");
    var data = dev.lrfinder.data.NpzFile.read(TestPaths.data("blobs_mlp"));
    dev.lrfinder.data.NpzFile.write(noTest, java.util.Map.of("x_train", data.get("x_train"),
        "y_train", data.get("y_train")));
    assertTrue(MainTest.badInput(List.of(model, noTest), "train", m, "--data", noTest.toString(),
        "--epochs", "2", "--early-stopping", "patience=2").contains("no validation data"));
    assertFalse(Files.exists(model.resolve("copy")));
  }
}
