package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sweep} and {@code experiment}: the report's files, a run against train's, bad input. */
class SweepCommandTest {
  @TempDir
  Path temp;

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static int count(String text, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void aSweepWritesItsReportAndEachRunIsTrainsRun() throws IOException {
    Path out = temp.resolve("sweep");
    String model = TestPaths.model("blobs_mlp").toString();
    MainTest.Run run = MainTest.run("sweep", model, "--vary", "lr=0.05,0.01", "--epochs", "2",
        "--optimizer", "sgd", "--batch-size", "32", "--out", out.toString(), "--json");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(List.of("epochs.csv", "index.html", "lr_vs_epoch.png",
        "overlay_val_accuracy.png", "overlay_val_loss.png", "panel_accuracy_01.png",
        "panel_accuracy_02.png", "panel_loss_01.png", "panel_loss_02.png", "runs.csv",
        "sweep.json"), names(out));
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertEquals(new ObjectMapper().readTree(out.resolve("sweep.json").toFile()), json);
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("version", "kind", "title", "source", "claim", "experiment_file",
        "parameter", "model", "model_dir", "data", "training_path", "validation", "complete",
        "notes", "runs", "failed_runs", "environment"), keys);
    assertEquals(0, json.get("failed_runs").size(), "a local sweep fails or completes whole");
    assertEquals("lr", json.get("parameter").asText());
    assertEquals(2, json.get("runs").size());
    JsonNode first = json.get("runs").get(0);
    assertEquals("lr=0.05", first.get("label").asText());
    assertEquals("0.05", first.get("value").asText());
    assertTrue(first.get("best").get("val_loss").get("epoch").asInt() >= 1);
    assertEquals(32, first.get("training").get("steps").get("loss").size(), "2 epochs of 16");

    List<String> runs = Files.readAllLines(out.resolve("runs.csv"));
    assertEquals("run,label,value,optimizer,schedule,rules,batch_size,epochs,epochs_run,"
        + "stop_reason,seconds,final_loss,final_accuracy,final_val_loss,final_val_accuracy,"
        + "best_loss,best_loss_epoch,best_accuracy,best_accuracy_epoch,best_val_loss,"
        + "best_val_loss_epoch,best_val_accuracy,best_val_accuracy_epoch", runs.get(0));
    assertEquals(3, runs.size());
    assertTrue(runs.get(1).startsWith("1,lr=0.05,0.05,sgd,constant 0.05,,32,2,2,epochs_done,"),
        runs.get(1));
    List<String> epochs = Files.readAllLines(out.resolve("epochs.csv"));
    assertEquals("run,label,epoch,steps,complete,learning_rate,loss,accuracy,val_loss,"
        + "val_accuracy,decision,seconds", epochs.get(0));
    assertEquals(5, epochs.size(), "2 runs of 2 epochs");

    String html = Files.readString(out.resolve("index.html"));
    assertEquals(2 * 2 + 2 + 1, count(html, "<svg "), "a panel per run and quantity, 2"
        + " overlays, the rates");
    assertEquals(2, count(html, "<div class=\"grid\">"), "a grid of loss and one of accuracy");
    assertEquals(count(html, "<figure"), count(html, "<svg "), "one chart per figure");
    assertTrue(html.contains("Sweep: blobs_mlp, lr"), "the title");
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(1, left.count(), "no staging directory left");
    }

    // The second run is train --epochs with its settings, from the same start: bit for bit.
    MainTest.Run alone = MainTest.run("train", model, "--epochs", "2", "--optimizer", "sgd",
        "--lr", "0.01", "--batch-size", "32", "--out", temp.resolve("alone").toString(),
        "--json");
    assertEquals(0, alone.exitCode(), alone.err());
    JsonNode trained = new ObjectMapper().readTree(alone.out());
    JsonNode swept = json.get("runs").get(1).get("training");
    assertEquals(trained.get("steps"), swept.get("steps"));
    Iterator<JsonNode> a = trained.get("epochs").elements();
    Iterator<JsonNode> b = swept.get("epochs").elements();
    while (a.hasNext()) {
      JsonNode x = a.next();
      JsonNode y = b.next();
      assertEquals(x.get("train"), y.get("train"));
      assertEquals(x.get("validation"), y.get("validation"));
    }
  }

  @Test
  void anExperimentFileRunsWithItsWordsInTheReport() throws IOException {
    Path out = temp.resolve("exp");
    MainTest.Run run = MainTest.run("experiment", "experiments/blobs-quick-rates", "--out",
        out.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("run 3/3 lr=0.0001"), run.out());
    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("<h1>Quick check: three learning rates on the blobs MLP</h1>"));
    assertTrue(html.contains("lrfinder&#39;s own smoke experiment")
        || html.contains("lrfinder&#x27;s own smoke experiment"), "the source, escaped");
    assertTrue(html.contains("the ordering of the validation loss follows the rate"));
    JsonNode json = new ObjectMapper().readTree(out.resolve("sweep.json").toFile());
    assertTrue(json.get("experiment_file").asText().endsWith("blobs-quick-rates.json"));
    assertEquals(3, json.get("runs").size());
  }

  @Test
  void badInputIsOneLineBeforeAnyTrainingAndWritesNothing() throws IOException {
    Path model = TestPaths.model("blobs_mlp");
    String m = model.toString();
    Path out = temp.resolve("never");
    List<Path> watched = List.of(model, temp);
    String[][] cases = {
        {"needs --vary"},
        {"unknown parameter 'speed'", "--vary", "speed=1"},
        {"no values", "--vary", "lr="},
        {"given twice", "--vary", "lr=0.1,0.1"},
        {"a learning rate must be a finite number", "--vary", "lr=fast"},
        {"scripts/export.py --optimizer sgd:momentum=0.5", "--vary", "momentum=0,0.5",
            "--optimizer", "sgd"},
        {"plateau", "--vary", "patience=2,5"},
        {"no optimizer 'nope'", "--vary", "optimizer=sgd,nope"},
        {"fewer than the batch size", "--vary", "batch-size=32,5000"},
        {"sawtooth", "--vary", "schedule=constant;sawtooth"},
        {"no validation data", "--vary", "patience=1", "--plateau", "monitor=val_loss",
            "--data", temp.resolve("train-only.npz").toString()}};
    writeTrainOnly(temp.resolve("train-only.npz"));
    watched = List.of(model, temp);
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(List.of("sweep", m, "--epochs", "1", "--out",
          out.toString()));
      args.addAll(List.of(c).subList(1, c.length));
      String error = MainTest.badInput(watched, args.toArray(String[]::new));
      assertTrue(error.contains(c[0]), c[0] + " -> " + error);
    }
    Path bad = Files.writeString(temp.resolve("bad.json"), "{\"model\": \"m\", \"colour\": 1}");
    String error = MainTest.badInput(List.of(model, temp), "experiment", bad.toString(),
        "--out", out.toString());
    assertTrue(error.contains("bad.json: colour: unknown key"), error);
    assertTrue(MainTest.badInput(List.of(model, temp), "experiment",
        temp.resolve("nothing").toString()).contains("does not exist"));
  }

  @Test
  void sparkWithoutItsModuleIsOneLineNamingHowToGetIt() {
    Path model = TestPaths.model("blobs_mlp");
    String out = temp.resolve("never").toString();
    String error = MainTest.badInput(List.of(model, temp), "experiment",
        "experiments/blobs-quick-rates", "--spark", "local[2]", "--out", out);
    assertTrue(error.contains("not on the class path") && error.contains("spark/lrfinder-spark")
        && error.contains("docs/spark.md"), error);
    assertEquals(error, MainTest.badInput(List.of(model, temp), "sweep", model.toString(),
        "--vary", "lr=0.1,0.01", "--spark", "local[2]", "--out", out));
    assertEquals(error, MainTest.badInput(List.of(model, temp), "find", model.toString(),
        "--spark", "local[2]", "--out", out));
  }

  @Test
  void anInterruptWhileSweepingWritesNothing() throws Exception {
    Path out = temp.resolve("report");
    String[] args = {"sweep", TestPaths.model("blobs_mlp").toString(), "--vary",
        "lr=1e-6,1e-7", "--epochs", "1000000", "--optimizer", "sgd", "--out", out.toString()};
    java.util.concurrent.atomic.AtomicReference<MainTest.Run> result =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread thread = new Thread(() -> result.set(MainTest.run(args)), "sweep-under-test");
    thread.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!staged() && thread.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(500); // into the first run
    thread.interrupt();
    thread.join(120_000);
    org.junit.jupiter.api.Assertions.assertFalse(thread.isAlive(), "sweep did not end");
    MainTest.Run run = result.get();
    assertEquals(130, run.exitCode(), run.err());
    List<String> lines = run.err().lines().toList();
    assertEquals("lrfinder: interrupted; " + SweepSession.NOTHING_KEPT,
        lines.get(lines.size() - 1), run.err());
    try (Stream<Path> left = Files.list(temp)) {
      assertEquals(List.of(), left.toList(), "no report, no staging");
    }
  }

  private boolean staged() throws IOException {
    try (Stream<Path> entries = Files.list(temp)) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith(".report.partial-"));
    }
  }

  /** An npz of the blobs training rows only (no x_test/y_test), by the venv's numpy. */
  private static void writeTrainOnly(Path file) throws IOException {
    Process p = new ProcessBuilder(TestPaths.root().resolve(".venv/bin/python").toString(), "-c",
        "import numpy as np,sys; d=np.load(sys.argv[1]);"
            + " np.savez(sys.argv[2], x_train=d['x_train'], y_train=d['y_train'])",
        TestPaths.data("blobs_mlp").toString(), file.toString()).redirectErrorStream(true)
        .start();
    try {
      assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
