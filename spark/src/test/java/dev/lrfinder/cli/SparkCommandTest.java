package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lrfinder experiment FILE --spark local[2]} with the module on the class path: the
 * backend is found, the report is the local run's, run for run (the experiment's words, every
 * epoch's logs and every step); a bad master is one line, exit 2.
 */
class SparkCommandTest {
  @TempDir
  Path temp;

  private record Run(int exitCode, String out, String err) {}

  private static Path root() {
    return Path.of(System.getProperty("lrfinder.projectRoot", "..")).toAbsolutePath()
        .normalize();
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Console console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), root());
    int code = new Main().run(args, console);
    return new Run(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void anExperimentOnSparkWritesTheLocalRunsReport() throws Exception {
    String file = root().resolve("experiments/blobs-quick-rates.json").toString();
    Path onSpark = temp.resolve("spark");
    Run spark = run("experiment", file, "--spark", "local[2]", "--out", onSpark.toString());
    assertEquals(0, spark.exitCode(), spark.err());
    assertTrue(spark.out().contains("on spark local[2]: one task per run"), spark.out());
    assertTrue(spark.out().contains("run 3/3 lr=0.0001"), spark.out());
    assertTrue(Files.isRegularFile(onSpark.resolve("index.html")));
    Path local = temp.resolve("local");
    Run alone = run("experiment", file, "--out", local.toString());
    assertEquals(0, alone.exitCode(), alone.err());

    ObjectMapper mapper = new ObjectMapper();
    JsonNode a = mapper.readTree(local.resolve("sweep.json").toFile());
    JsonNode b = mapper.readTree(onSpark.resolve("sweep.json").toFile());
    for (String key : new String[] {"title", "source", "claim", "experiment_file", "parameter",
        "model", "data", "training_path", "validation", "complete", "notes", "failed_runs"}) {
      assertEquals(a.get(key), b.get(key), key);
    }
    assertEquals("Quick check: three learning rates on the blobs MLP", b.get("title").asText());
    assertEquals(3, b.get("runs").size());
    for (int i = 0; i < 3; i++) {
      JsonNode x = a.get("runs").get(i);
      JsonNode y = b.get("runs").get(i);
      assertEquals(x.get("label"), y.get("label"));
      assertEquals(x.get("final"), y.get("final"), "run " + (i + 1));
      assertEquals(x.get("best"), y.get("best"), "run " + (i + 1));
      assertEquals(x.get("training").get("steps"), y.get("training").get("steps"));
      assertEquals(x.get("training").get("epochs").size(), y.get("training").get("epochs").size());
      for (int e = 0; e < x.get("training").get("epochs").size(); e++) {
        JsonNode ex = x.get("training").get("epochs").get(e);
        JsonNode ey = y.get("training").get("epochs").get(e);
        assertEquals(ex.get("train"), ey.get("train"));
        assertEquals(ex.get("validation"), ey.get("validation"));
      }
    }
    String html = Files.readString(onSpark.resolve("index.html"));
    assertTrue(html.contains("<h1>Quick check: three learning rates on the blobs MLP</h1>"));
  }

  @Test
  void aSweepOnSparkFromTheCommandLine() throws Exception {
    Path out = temp.resolve("sweep");
    Run spark = run("sweep", root().resolve("savedmodels/blobs_mlp").toString(), "--vary",
        "lr=0.05,0.01", "--epochs", "2", "--optimizer", "sgd", "--batch-size", "32", "--spark",
        "local[2]", "--out", out.toString(), "--json");
    assertEquals(0, spark.exitCode(), spark.err());
    JsonNode json = new ObjectMapper().readTree(spark.out());
    assertEquals(2, json.get("runs").size());
    assertEquals("lr=0.01", json.get("runs").get(1).get("label").asText());
    assertEquals(32, json.get("runs").get(1).get("training").get("steps").get("loss").size());
    assertEquals(0, json.get("failed_runs").size());
  }

  @Test
  void aRepeatedRangeTestOnSparkIsTheLocalOneCurveForCurve() throws Exception {
    String model = root().resolve("savedmodels/blobs_mlp").toString();
    Run spark = run("find", model, "--steps", "40", "--repeats", "2", "--spark", "local[2]",
        "--out", temp.resolve("spark").toString(), "--json");
    assertEquals(0, spark.exitCode(), spark.err());
    assertTrue(spark.err().contains("range test on spark local[2]: one task per optimizer x"
        + " seed"), spark.err());
    Run alone = run("find", model, "--steps", "40", "--repeats", "2", "--out",
        temp.resolve("local").toString(), "--json");
    assertEquals(0, alone.exitCode(), alone.err());
    ObjectMapper mapper = new ObjectMapper();
    JsonNode a = mapper.readTree(alone.out());
    JsonNode b = mapper.readTree(spark.out());
    for (String key : new String[] {"config", "planned_steps", "steps_per_epoch", "warnings",
        "repeats"}) {
      assertEquals(a.get(key), b.get(key), key);
    }
    assertTrue(a.get("repeats") != null && !a.get("repeats").isNull(), "a repeated test");
    assertEquals(a.get("optimizers").size(), b.get("optimizers").size());
    // A progress line per cell as it came back: [1/N] ... [N/N], N = optimizers x 2 seeds.
    int cells = 2 * b.get("optimizers").size();
    for (int k = 1; k <= cells; k++) {
      assertTrue(spark.err().contains("  [" + k + "/" + cells + "] "), spark.err());
    }
    assertTrue(!spark.err().contains("[" + (cells + 1) + "/"), spark.err());
    for (int i = 0; i < a.get("optimizers").size(); i++) {
      JsonNode x = a.get("optimizers").get(i);
      JsonNode y = b.get("optimizers").get(i);
      for (String key : new String[] {"optimizer", "stop_reason", "steps_run", "lr", "loss",
          "train_loss", "smoothed", "best_smoothed_loss", "suggestions", "descent"}) {
        assertEquals(x.get(key), y.get(key), x.get("optimizer") + " " + key);
      }
    }
  }

  @Test
  void aMasterSparkCannotParseIsOneLine() {
    String file = root().resolve("experiments/blobs-quick-rates.json").toString();
    Path out = temp.resolve("never");
    Run bad = run("experiment", file, "--spark", "nowhere://x", "--out", out.toString());
    assertEquals(2, bad.exitCode(), bad.err());
    String[] lines = bad.err().lines().filter(l -> !l.isBlank()).toArray(String[]::new);
    assertEquals(1, lines.length, bad.err());
    assertTrue(lines[0].startsWith("lrfinder: error: --spark nowhere://x: Spark did not start"),
        lines[0]);
    assertTrue(!Files.exists(out), "no report");
  }

  /**
   * Ctrl-C on the Spark path, as the CLI delivers it (an interrupt of the command's thread):
   * the job is cancelled and the context stopped, exit 130 with the local command's line, no
   * report, the model's files untouched. The sweep (4 runs x 2000 epochs of the blobs MLP,
   * about 25 s a run alone on this machine, two at a time on local[2]) is interrupted once its
   * tasks train; uncancelled it would take a minute or more, so ending within BOUND_SECONDS of
   * the interrupt needs the cancel (the bound leaves room for a loaded machine and Spark's stop).
   */
  @Test
  void ctrlCCancelsTheSparkJobAndWritesNothing() throws Exception {
    final long boundSeconds = 20;
    Path model = root().resolve("savedmodels/blobs_mlp");
    String before = checksum(model);
    Path out = temp.resolve("cancelled");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Console console = new Console(new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8), root());
    int[] code = {-1};
    Thread command = new Thread(() -> code[0] = new Main().run(new String[] {"sweep",
        model.toString(), "--optimizer", "sgd", "--epochs", "2000", "--batch-size", "32",
        "--vary", "lr=0.1,0.01,0.001,0.0001", "--spark", "local[2]", "--out", out.toString()},
        console), "lrfinder-command");
    command.start();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!stdout.toString(StandardCharsets.UTF_8).contains("one task per run")
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Thread.sleep(8000); // Spark starts, the executor opens its models, the tasks train
    assertTrue(command.isAlive(), "the sweep ended before the interrupt: " + stdout);
    long interrupted = System.nanoTime();
    command.interrupt();
    command.join(TimeUnit.SECONDS.toMillis(boundSeconds + 30));
    long millis = (System.nanoTime() - interrupted) / 1_000_000L;
    long seconds = millis / 1000;
    System.out.println("ctrlC: ended " + millis + " ms after the interrupt");
    assertTrue(!command.isAlive(), "still running after the interrupt");
    String err = stderr.toString(StandardCharsets.UTF_8);
    assertEquals(130, code[0], err);
    assertEquals("lrfinder: interrupted; the model on disk is unchanged, no report written",
        err.strip().lines().reduce((a, b) -> b).orElse(""), err);
    assertTrue(seconds < boundSeconds, "ended " + seconds + " s after the interrupt");
    assertTrue(!stdout.toString(StandardCharsets.UTF_8).contains("run 4/4"),
        "the last run never came back: " + stdout);
    assertTrue(!Files.exists(out), "no report: " + out);
    assertEquals(before, checksum(model), "the model's files are untouched");
    // The command's context is stopped: a new one starts (Spark allows one active per JVM).
    new org.apache.spark.api.java.JavaSparkContext(new org.apache.spark.SparkConf()
        .setMaster("local[1]").setAppName("after").set("spark.ui.enabled", "false")).stop();
  }

  /** Every file under {@code dir}, with its size and SHA-256, in path order. */
  private static String checksum(Path dir) throws Exception {
    StringBuilder all = new StringBuilder();
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        byte[] bytes = Files.readAllBytes(file);
        all.append(dir.relativize(file)).append(' ').append(bytes.length).append(' ')
            .append(java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest(bytes))).append(' ')
            .append(Files.getLastModifiedTime(file)).append('\n');
      }
    }
    return all.toString();
  }
}
