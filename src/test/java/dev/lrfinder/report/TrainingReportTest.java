package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.StopReason;
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

/** The training report of a run that diverged: NaN as null and empty cells, text escaped. */
class TrainingReportTest {
  @TempDir
  Path temp;

  private static TrainingReportInput diverged() {
    Map<String, Double> first = new LinkedHashMap<>();
    first.put("loss", 0.9);
    first.put("accuracy", 0.5);
    Map<String, Double> nan = new LinkedHashMap<>();
    nan.put("loss", Double.NaN);
    nan.put("accuracy", 0.25);
    Map<String, Double> validation = new LinkedHashMap<>(); // (Map.of's order varies by run)
    validation.put("loss", 0.8);
    validation.put("accuracy", 0.6);
    List<EpochRecord> epochs = List.of(
        new EpochRecord(0, 2, first, validation, 0.1,
            "rate <b>halved</b>", true, 0.5),
        new EpochRecord(1, 1, nan, Map.of(), 0.05, "", false, 0.2));
    TrainingResult result = new TrainingResult(TrainingConfig.of("sgd", 5), "test schedule",
        epochs, List.of(0.1, 0.1, 0.05), List.of(1.0, 0.8, Double.NaN), 2, 64, 16,
        StopReason.DIVERGED, "the loss of step 2 (epoch 2) is NaN", List.of("a note"), 0.7);
    return new TrainingReportInput(Path.of("model"), Path.of("data.npz"),
        Fixtures.contract("tiny", List.of("sgd")), "exported: test", result,
        "x_test/y_test", "2.18", "17", Instant.parse("2026-12-01T20:00:00Z"), "", List.of());
  }

  @Test
  void nonFiniteValuesAndTextAreWrittenSafely() throws IOException {
    TrainingReportInput input = diverged();
    JsonNode json = new ObjectMapper().readTree(TrainingJson.toJson(input));
    assertTrue(json.get("epochs").get(1).get("train").get("loss").isNull());
    assertTrue(json.get("steps").get("loss").get(2).isNull());
    assertEquals("diverged", json.get("stop_reason").asText());
    assertEquals(List.of("a note"), List.of(json.get("notes").get(0).asText()));

    List<String> epochs = TrainingCsv.epochs(input.result()).lines().toList();
    assertEquals("epoch,steps,complete,learning_rate,loss,accuracy,val_loss,val_accuracy,"
        + "decision,seconds", epochs.get(0));
    assertEquals("2,1,false,0.05,,0.25,,,,0.2", epochs.get(2));
    assertEquals("2,2,0.05,", TrainingCsv.steps(input.result()).lines().toList().get(3));

    String html = TrainingHtml.render(input);
    assertTrue(html.contains("rate &lt;b&gt;halved&lt;/b&gt;"), "escaped");
    assertFalse(html.contains("<b>halved"));
    assertTrue(html.contains("diverged (the loss is not a number)"), "the stop in words");
    assertTrue(html.contains("incomplete: 1 steps"));
    assertTrue(html.contains("<li>a note</li>"));

    Path out = temp.resolve("report");
    TrainingReportWriter writer = new TrainingReportWriter();
    try (TrainingReportWriter.Staged report = writer.prepare("tiny", Instant.now(), temp, out)) {
      report.write(input);
      assertEquals(out, report.publish());
    }
    try (Stream<Path> files = Files.list(temp)) {
      assertEquals(List.of("report"), files.map(p -> p.getFileName().toString()).toList());
    }
    assertThrows(IllegalArgumentException.class,
        () -> writer.prepare("tiny", Instant.now(), temp, out), "never over a report");
    try (TrainingReportWriter.Staged numbered = writer.prepare("tiny",
        Instant.parse("2026-12-01T20:00:00Z"), temp, null)) {
      numbered.write(input);
      assertEquals("tiny-train-20261201-200000", numbered.publish().getFileName().toString());
    }
  }
}
