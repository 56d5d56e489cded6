package dev.lrfinder.cli;

import static dev.lrfinder.cli.MainTest.badInput;
import static dev.lrfinder.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.TestPaths;
import dev.lrfinder.report.RepeatsSection;
import dev.lrfinder.report.VerificationSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** find --verify N and --repeats K end to end on blobs_mlp, and their bad values. */
class FindVerifyRepeatsTest {
  private static final String BLOBS = TestPaths.model("blobs_mlp").toString();

  @Test
  void badValuesAreOneLineErrorsBeforeAnyTraining() {
    Path model = TestPaths.model("blobs_mlp");
    for (String option : List.of("--verify", "--repeats")) {
      for (String value : List.of("0", "-3", "ten", "1.5", "")) {
        String error = badInput(model, "find", BLOBS, option, value);
        assertTrue(error.contains(option + " must be a positive integer"), error);
      }
    }
  }

  @Test
  void verifyAndRepeatsGoIntoTheJsonTheCsvsThePageAndTheTable(@TempDir Path dir)
      throws IOException {
    Path out = dir.resolve("r");
    MainTest.Run result = run("find", BLOBS, "--batch-size", "32", "--optimizers",
        "adam,sgd_momentum", "--verify", "15", "--repeats", "3", "--seed", "1", "--out=" + out);
    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().contains("verified by training 15 steps at each rate"), result.out());
    assertTrue(result.out().contains("over 3 batch orders (seeds 1, 2, 3)"), result.out());

    JsonNode json = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertEquals(1, json.get("config").get("seed").asInt());
    JsonNode verification = json.get("verification");
    assertEquals(15, verification.get("steps").asInt());
    assertEquals(500, verification.get("held_out_rows").asInt());
    assertTrue(verification.get("held_out").asText().contains("test split"));
    int recommended = 0;
    for (JsonNode optimizer : verification.get("optimizers")) {
      JsonNode ranked = optimizer.get("ranked");
      for (int i = 0; i < ranked.size(); i++) {
        assertEquals(i + 1, ranked.get(i).get("rank").asInt());
        if (ranked.get(i).get("recommended").asBoolean()) {
          recommended++;
          assertEquals(0, i);
          assertEquals(ranked.get(i).get("lr").asDouble(),
              optimizer.get("recommended_lr").asDouble(), 0.0);
        }
      }
    }
    assertTrue(recommended >= 1, verification.toString());

    JsonNode repeats = json.get("repeats");
    assertEquals(3, repeats.get("count").asInt());
    assertEquals("min-max", repeats.get("band").asText());
    for (JsonNode optimizer : repeats.get("optimizers")) {
      assertEquals(3, optimizer.get("runs").size());
      int from = optimizer.get("band").get("from_step").asInt();
      JsonNode min = optimizer.get("band").get("min");
      JsonNode max = optimizer.get("band").get("max");
      for (JsonNode run : optimizer.get("runs")) {
        for (int i = 0; i < min.size(); i++) {
          double v = run.get("smoothed").get(from + i).asDouble();
          assertTrue(min.get(i).asDouble() <= v && v <= max.get(i).asDouble());
        }
      }
    }
    // The first repeat is what the rest of the report shows.
    assertEquals(json.get("optimizers").get(0).get("smoothed"),
        repeats.get("optimizers").get(0).get("runs").get(0).get("smoothed"));

    String page = Files.readString(out.resolve("index.html"));
    assertTrue(page.contains("Suggestions verified by training"));
    assertTrue(page.contains("held-out loss after 15 steps"));
    assertTrue(page.contains("Suggestions over 3 batch orders"));
    assertTrue(page.contains("<th>seed 3</th>"));
    List<String> csv = Files.readAllLines(out.resolve(VerificationSection.CSV_FILE_NAME));
    assertEquals(VerificationSection.CSV_HEADER, csv.get(0));
    long runs = 0;
    for (JsonNode optimizer : verification.get("optimizers")) {
      runs += optimizer.get("ranked").size();
    }
    assertEquals(runs + 1, csv.size());
    List<String> repeatsCsv = Files.readAllLines(out.resolve(RepeatsSection.CSV_FILE_NAME));
    assertEquals(RepeatsSection.CSV_HEADER, repeatsCsv.get(0));
    long steps = 0;
    for (JsonNode optimizer : repeats.get("optimizers")) {
      for (JsonNode run : optimizer.get("runs")) {
        steps += run.get("steps_run").asInt();
      }
    }
    assertEquals(steps + 1, repeatsCsv.size());
  }

  @Test
  void withoutATestSplitTheVerificationHoldsOutPartOfTheTrainingRows(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("train_only.npz");
    Process python = new ProcessBuilder(TestPaths.root().resolve(".venv/bin/python").toString(),
        "-c", "import numpy as np, sys; z = np.load(sys.argv[1]);"
            + " np.savez(sys.argv[2], x_train=z['x_train'], y_train=z['y_train'])",
        TestPaths.data("blobs_mlp").toString(), data.toString()).inheritIO().start();
    assertEquals(0, python.waitFor());
    Path out = dir.resolve("r");
    MainTest.Run result = run("find", BLOBS, "--data", data.toString(), "--batch-size", "32",
        "--optimizers", "adam", "--verify", "5", "--out=" + out);
    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.err().contains("lrfinder: note: no x_test/y_test"), result.err());
    JsonNode verification = new ObjectMapper().readTree(out.resolve("result.json").toFile())
        .get("verification");
    assertEquals(100, verification.get("held_out_rows").asInt());
    assertTrue(verification.get("held_out").asText().contains("validation split"));
    assertFalse(Files.exists(out.resolve(RepeatsSection.CSV_FILE_NAME)));
  }
}
