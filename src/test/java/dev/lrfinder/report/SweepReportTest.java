package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.SweepResult;
import dev.lrfinder.lab.SweepRun;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.lab.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep report of a run that trained and one that diverged: values, escaping, files. */
class SweepReportTest {
  @TempDir
  Path temp;

  private static Map<String, Double> logs(double loss, double accuracy) {
    Map<String, Double> logs = new LinkedHashMap<>(); // (Map.of's order varies by run)
    logs.put("loss", loss);
    logs.put("accuracy", accuracy);
    return logs;
  }

  private static TrainingResult result(TrainingConfig config, List<EpochRecord> epochs,
      StopReason stop) {
    return new TrainingResult(config, "constant", epochs, List.of(0.1, 0.1, 0.1, 0.1),
        List.of(1.0, 0.8, 0.7, 0.6), 2, 64, 16, stop, "", List.of(), 0.5);
  }

  static SweepReportInput input(SweepReportInput.About about) {
    TrainingConfig config = TrainingConfig.of("sgd", 2);
    TrainingResult trained = result(config, List.of(
        new EpochRecord(0, 2, logs(0.9, 0.5), logs(0.8, 0.6), 0.1, "", true, 0.1),
        new EpochRecord(1, 2, logs(0.7, 0.7), logs(0.85, 0.65), 0.1, "", true, 0.1)),
        StopReason.EPOCHS_DONE);
    TrainingResult diverged = result(config, List.of(
        new EpochRecord(0, 2, logs(2.0, 0.4), logs(1.5, 0.3), 1.0, "", true, 0.1),
        new EpochRecord(1, 1, logs(Double.NaN, 0.1), Map.of(), 1.0, "", false, 0.1)),
        StopReason.DIVERGED);
    SweepResult sweep = new SweepResult("lr", List.of(new SweepRun("lr=0.1", config),
        new SweepRun("lr=<b>1</b>,x", config)), List.of(trained, diverged));
    return new SweepReportInput(Path.of("model"), Path.of("data.npz"),
        Fixtures.contract("tiny", List.of("sgd")), "exported: test", sweep, "x_test/y_test",
        about, "2.18", "17", Instant.parse("2026-12-01T20:00:00Z"), "lrfinder sweep", List.of());
  }

  @Test
  void finalAndBestValuesTheTablesAndEscaping() throws IOException {
    SweepReportInput input = input(new SweepReportInput.About("A <title>", "seed 004 & co",
        "rates <matter>", Path.of("experiments/x.json")));
    JsonNode json = new ObjectMapper().readTree(SweepJson.toJson(input));
    JsonNode first = json.get("runs").get(0);
    assertEquals(0.7, first.get("final").get("loss").asDouble());
    assertEquals(0.8, first.get("best").get("val_loss").get("value").asDouble(), "lowest loss");
    assertEquals(1, first.get("best").get("val_loss").get("epoch").asInt());
    assertEquals(0.65, first.get("best").get("val_accuracy").get("value").asDouble(),
        "highest accuracy (Keras's mode auto)");
    assertEquals(2, first.get("best").get("val_accuracy").get("epoch").asInt());
    JsonNode second = json.get("runs").get(1);
    assertEquals("<b>1</b>,x", second.get("value").asText(), "the label without lr=");
    assertEquals(2.0, second.get("final").get("loss").asDouble(), "the last complete epoch");
    assertEquals("diverged", second.get("training").get("stop_reason").asText());
    assertTrue(second.get("training").get("epochs").get(1).get("train").get("loss").isNull());
    assertEquals("A <title>", json.get("title").asText());
    assertFalse(json.get("runs").get(0).get("training").has("environment"));

    List<String> runs = SweepCsv.runs(input).lines().toList();
    assertTrue(runs.get(2).startsWith("2,\"lr=<b>1</b>,x\",\"<b>1</b>,x\",sgd,constant,,32,2,1,"
        + "diverged,"), runs.get(2));
    List<String> epochs = SweepCsv.epochs(input).lines().toList();
    assertEquals("2,\"lr=<b>1</b>,x\",2,1,false,1.0,,0.1,,,,0.1", epochs.get(4));

    String html = SweepHtml.render(input);
    assertTrue(html.contains("<h1>A &lt;title&gt;</h1>"), "the experiment's title, escaped");
    assertTrue(html.contains("seed 004 &amp; co") && html.contains("rates &lt;matter&gt;"));
    assertFalse(html.contains("<b>1</b>"), "labels escaped");
    assertEquals(2 * 2 + 2 + 1, html.split("<svg ", -1).length - 1);
    assertTrue(html.contains("diverged"));
  }

  @Test
  void theWriterPublishesEveryFileUnderTheName() throws IOException {
    SweepReportInput input = input(null);
    SweepReportWriter writer = new SweepReportWriter();
    Path first;
    Path second;
    try (SweepReportWriter.Staged report = writer.prepare("tiny-sweep", input.createdAt(), temp,
        null)) {
      report.write(input);
      first = report.publish();
    }
    try (SweepReportWriter.Staged report = writer.prepare("tiny-sweep", input.createdAt(), temp,
        null)) {
      report.write(input);
      second = report.publish();
    }
    assertEquals("tiny-sweep-20261201-200000", first.getFileName().toString());
    assertEquals("tiny-sweep-20261201-200000-2", second.getFileName().toString(),
        "never over an earlier report");
    try (Stream<Path> files = Files.list(first)) {
      assertEquals(List.of("epochs.csv", "index.html", "lr_vs_epoch.png",
          "overlay_val_accuracy.png", "overlay_val_loss.png", "panel_accuracy_01.png",
          "panel_accuracy_02.png", "panel_loss_01.png", "panel_loss_02.png", "runs.csv",
          "sweep.json"), files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    assertTrue(Files.readString(first.resolve("index.html")).contains(
        "<h1>Sweep: tiny, lr</h1>"));
  }
}
