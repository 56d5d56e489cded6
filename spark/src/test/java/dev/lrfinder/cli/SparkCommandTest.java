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
}
