package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 002's flow: {@code train --bounds-from REPORT} reads the cyclical bounds of a real find
 * report made here, {@code find --then-train} trains between the bounds it just found, and a
 * missing, foreign or incomplete report is refused with one line.
 */
class BoundsFlowTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path shared;

  @TempDir
  Path temp;

  /** A find report of blobs_mlp for sgd and adam, made once for the tests. */
  private static Path report;

  @BeforeAll
  static void findTheBounds() {
    report = shared.resolve("find");
    MainTest.Run run = MainTest.run("find", TestPaths.model("blobs_mlp").toString(),
        "--optimizers", "sgd,adam", "--steps", "100", "--out", report.toString());
    assertEquals(0, run.exitCode(), run.err());
  }

  /** The report's cyclical_base and cyclical_max for {@code optimizer}. */
  private static double[] bounds(Path reportDir, String optimizer) throws IOException {
    JsonNode root = JSON.readTree(reportDir.resolve("result.json").toFile());
    double base = Double.NaN;
    double max = Double.NaN;
    for (JsonNode curve : root.get("optimizers")) {
      if (curve.get("optimizer").asText().equals(optimizer)) {
        for (JsonNode s : curve.get("suggestions")) {
          if (s.get("rule").asText().equals("cyclical_base")) {
            base = s.get("lr").asDouble();
          } else if (s.get("rule").asText().equals("cyclical_max")) {
            max = s.get("lr").asDouble();
          }
        }
      }
    }
    assertTrue(base > 0 && max > base, optimizer + ": " + base + ", " + max);
    return new double[] {base, max};
  }

  /** Smith's triangular rate of update {@code it} (REFERENCE.md section 3). */
  private static double triangular(long it, long step, double base, double max) {
    double cycle = Math.floor(1 + it / (2.0 * step));
    double x = Math.abs((double) it / step - 2 * cycle + 1);
    return base + (max - base) * Math.max(0, 1 - x);
  }

  private static void assertRates(JsonNode training, long step, double[] bounds) {
    JsonNode rates = training.get("steps").get("learning_rate");
    assertTrue(rates.size() > 2 * step, "at least one whole cycle");
    for (int it = 0; it < rates.size(); it++) {
      double expected = triangular(it, step, bounds[0], bounds[1]);
      // The rate is recorded as the schedule gives it; 1e-12 relative covers the order in which
      // the formula's terms are added.
      assertEquals(expected, rates.get(it).asDouble(), 1e-12 * expected, "step " + it);
    }
    assertEquals(bounds[0], rates.get(0).asDouble(), "the cycle starts at the base");
    assertEquals(bounds[1], rates.get((int) step).asDouble(), 1e-15 * bounds[1],
        "and peaks at the max after a half-cycle");
  }

  @Test
  void trainReadsTheBoundsOfARealFindReport() throws IOException {
    double[] adam = bounds(report, "adam");
    Path out = temp.resolve("train");
    MainTest.Run run = MainTest.run("train", TestPaths.model("blobs_mlp").toString(),
        "--epochs", "3", "--optimizer", "adam", "--batch-size", "32", "--bounds-from",
        report.toString(), "--schedule", "triangular:step=8", "--out", out.toString(), "--json");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode training = JSON.readTree(run.out());
    JsonNode from = training.get("config").get("bounds_from");
    assertEquals(adam[0], from.get("min").asDouble(), "min is the report's cyclical_base");
    assertEquals(adam[1], from.get("max").asDouble(), "max is the report's cyclical_max");
    assertEquals("adam", from.get("optimizer").asText());
    assertEquals(report.toString(), from.get("report").asText());
    assertTrue(training.get("config").get("schedule").asText().startsWith("triangular"));
    assertRates(training, 8, adam);
    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("Bounds from the range test"), "the section");
    assertTrue(html.contains(report.resolve("index.html").toUri().toString()), "links the report");

    // Another optimizer of the same report gets its own bounds; a report's bounds are not
    // mixed up between optimizers.
    double[] sgd = bounds(report, "sgd");
    MainTest.Run sgdRun = MainTest.run("train", TestPaths.model("blobs_mlp").toString(),
        "--epochs", "9", "--optimizer", "sgd", "--batch-size", "32", "--bounds-from",
        report.toString(), "--out", temp.resolve("sgd").toString(), "--json");
    assertEquals(0, sgdRun.exitCode(), sgdRun.err());
    JsonNode sgdTraining = JSON.readTree(sgdRun.out());
    assertEquals(sgd[0], sgdTraining.get("config").get("bounds_from").get("min").asDouble());
    // Without a step, triangular's default half-cycle is 4 epochs of 16 updates (500 rows in
    // batches of 32).
    assertRates(sgdTraining, 64, sgd);
  }

  @Test
  void findThenTrainTrainsBetweenTheBoundsItFound() throws IOException {
    Path out = temp.resolve("find-train");
    MainTest.Run run = MainTest.run("find", TestPaths.model("blobs_mlp").toString(),
        "--optimizers", "sgd,adam", "--steps", "100", "--then-train", "3",
        "--then-schedule", "triangular:step=8", "--out", out.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("trained: " + out.resolve("train-adam/index.html")), run.out());
    // The find part is the same range test as the one without --then-train: same suggestions.
    JsonNode plain = JSON.readTree(MainTest.run("find", TestPaths.model("blobs_mlp").toString(),
        "--optimizers", "sgd,adam", "--steps", "100", "--out",
        temp.resolve("plain").toString(), "--json").out());
    JsonNode withTraining = JSON.readTree(out.resolve("result.json").toFile());
    for (int i = 0; i < 2; i++) {
      assertEquals(plain.get("optimizers").get(i).get("suggestions"),
          withTraining.get("optimizers").get(i).get("suggestions"));
    }
    String page = Files.readString(out.resolve("index.html"));
    for (String optimizer : List.of("sgd", "adam")) {
      double[] found = bounds(out, optimizer);
      JsonNode training = JSON.readTree(out.resolve("train-" + optimizer)
          .resolve("training.json").toFile());
      assertEquals(found[0], training.get("config").get("bounds_from").get("min").asDouble());
      assertEquals(found[1], training.get("config").get("bounds_from").get("max").asDouble());
      assertRates(training, 8, found);
      assertTrue(page.contains("Trained between the bounds: " + optimizer), optimizer);
      assertTrue(page.contains("train-" + optimizer + "/index.html"), "links the run");
      assertTrue(Files.readString(out.resolve("train-" + optimizer).resolve("index.html"))
          .contains("href=\"../index.html\""), "links back to the range test");
    }

    // adam trained after sgd and after the range test, each from the model's start: the same
    // run as train --bounds-from on a fresh model, bit for bit.
    MainTest.Run alone = MainTest.run("train", TestPaths.model("blobs_mlp").toString(),
        "--epochs", "3", "--optimizer", "adam", "--bounds-from",
        out.toString(), "--schedule", "triangular:step=8", "--out",
        temp.resolve("alone").toString(), "--json");
    assertEquals(0, alone.exitCode(), alone.err());
    JsonNode then = JSON.readTree(out.resolve("train-adam/training.json").toFile());
    JsonNode fresh = JSON.readTree(alone.out());
    assertEquals(fresh.get("epochs").size(), then.get("epochs").size());
    for (int e = 0; e < 3; e++) {
      assertEquals(fresh.get("epochs").get(e).get("train"), then.get("epochs").get(e).get("train"));
      assertEquals(fresh.get("epochs").get(e).get("validation"),
          then.get("epochs").get(e).get("validation"));
    }
    assertEquals(fresh.get("steps").get("loss"), then.get("steps").get("loss"));
  }

  @Test
  void aFullDiskWhileWritingARunLeavesNoPartOfTheReport() throws IOException {
    Path out = temp.resolve("find-train");
    MainTest.Run run = MainTest.run(new Main(dev.lrfinder.report.FaultyDisk.fullWriting(
        "training.json", 100)), "find", TestPaths.model("blobs_mlp").toString(), "--optimizers",
        "adam", "--steps", "100", "--then-train", "1", "--out", out.toString());
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("no space left on device"), run.err());
    assertTrue(run.err().contains("train-adam"), "names the file: " + run.err());
    try (java.util.stream.Stream<Path> left = Files.list(temp)) {
      assertEquals(List.of(), left.toList(), "no find report, no training report, no staging");
    }
  }

  @Test
  void badReportsExitTwoWithOneLine() throws IOException {
    Path model = TestPaths.model("blobs_mlp");
    String m = model.toString();
    Path out = temp.resolve("never");
    List<Path> watched = List.of(model, report);
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--bounds-from",
        temp.resolve("missing").toString(), "--out", out.toString())
        .contains("is not a directory"));
    // A training report is not a find report.
    Path training = temp.resolve("a-training-report");
    assertEquals(0, MainTest.run("train", m, "--epochs", "1", "--out", training.toString())
        .exitCode());
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--bounds-from",
        training.toString(), "--out", out.toString()).contains("it is a training report"));
    Path foreign = Files.createDirectories(temp.resolve("foreign"));
    Files.writeString(foreign.resolve("result.json"), "{\"accuracy\": 0.9}");
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--bounds-from",
        foreign.toString(), "--out", out.toString()).contains("is not a find report's result"));
    Path broken = Files.createDirectories(temp.resolve("broken"));
    Files.writeString(broken.resolve("result.json"), "{\"lrfinder_report_version\": 1,");
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--bounds-from",
        broken.toString(), "--out", out.toString()).contains("not valid JSON"));
    // An optimizer the report did not test, and bounds the range test did not find.
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--optimizer", "rmsprop",
        "--bounds-from", report.toString(), "--out", out.toString())
        .contains("has no range test for rmsprop (it tested sgd, adam)"));
    Path noBounds = Files.createDirectories(temp.resolve("no-bounds"));
    ObjectNode root = (ObjectNode) JSON.readTree(report.resolve("result.json").toFile());
    for (JsonNode curve : root.get("optimizers")) {
      for (JsonNode s : curve.get("suggestions")) {
        if (s.get("rule").asText().startsWith("cyclical")) {
          ((ObjectNode) s).putNull("lr");
          ((ObjectNode) s).put("note", "the curve is too short");
        }
      }
    }
    Files.writeString(noBounds.resolve("result.json"), JSON.writeValueAsString(root));
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--optimizer", "adam",
        "--bounds-from", noBounds.toString(), "--out", out.toString())
        .contains("found no cyclical bounds for adam: the curve is too short"));
    for (JsonNode curve : root.get("optimizers")) {
      ArrayNode kept = JSON.createArrayNode();
      curve.get("suggestions").forEach(s -> {
        if (!s.get("rule").asText().startsWith("cyclical")) {
          kept.add(s);
        }
      });
      ((ObjectNode) curve).set("suggestions", kept);
    }
    Files.writeString(noBounds.resolve("result.json"), JSON.writeValueAsString(root));
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--optimizer", "adam",
        "--bounds-from", noBounds.toString(), "--out", out.toString())
        .contains("has no cyclical bounds for adam"));
    // The schedule: cyclical, with min and max left to the report.
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--bounds-from",
        report.toString(), "--schedule", "triangular:max=0.1", "--out", out.toString())
        .contains("leave min and max out"));
    assertTrue(MainTest.badInput(watched, "train", m, "--epochs", "1", "--bounds-from",
        report.toString(), "--schedule", "step:lr=0.1", "--out", out.toString())
        .contains("need a cyclical schedule"));
    assertTrue(MainTest.badInput(watched, "train", m, "--bounds-from", report.toString())
        .contains("--bounds-from needs --epochs"));
    // find's side.
    assertTrue(MainTest.badInput(watched, "find", m, "--then-optimizers", "sgd")
        .contains("--then-optimizers needs --then-train"));
    assertTrue(MainTest.badInput(watched, "find", m, "--optimizers", "sgd", "--then-train", "2",
        "--then-optimizers", "adam", "--out", out.toString())
        .contains("does not test"));
    assertTrue(MainTest.badInput(watched, "find", m, "--then-train", "2", "--then-schedule",
        "one_cycle", "--out", out.toString()).contains("need a cyclical schedule"));
    assertTrue(MainTest.badInput(watched, "find", m, "--then-train", "0", "--out",
        out.toString()).contains("--then-train"));
    assertFalse(Files.exists(out), "no report");
  }
}
