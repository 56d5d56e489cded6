package dev.lrfinder.cli;

import static dev.lrfinder.cli.MainTest.badInput;
import static dev.lrfinder.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FindCommandTest {
  private static final String BLOBS = TestPaths.model("blobs_mlp").toString();

  private static JsonNode find(Path out, String... extra) throws IOException {
    String[] args = new String[5 + extra.length];
    args[0] = "find";
    args[1] = BLOBS;
    args[2] = "--batch-size";
    args[3] = "32";
    args[4] = "--out=" + out;
    System.arraycopy(extra, 0, args, 5, extra.length);
    MainTest.Run result = run(args);
    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().contains("report: " + out.resolve("index.html")), result.out());
    return new ObjectMapper().readTree(out.resolve("result.json").toFile());
  }

  @Test
  void writesTheReportForEveryOptimizerFromTheSameStart(@TempDir Path dir) throws IOException {
    JsonNode result = find(dir.resolve("report"));
    for (String file : new String[] {"index.html", "result.json", "curves.csv"}) {
      assertTrue(Files.size(dir.resolve("report").resolve(file)) > 0, file);
    }
    JsonNode optimizers = result.get("optimizers");
    assertEquals(5, optimizers.size());
    double firstLoss = optimizers.get(0).at("/loss/0").asDouble();
    for (JsonNode optimizer : optimizers) {
      assertEquals(firstLoss, optimizer.at("/loss/0").asDouble(), 0.0,
          optimizer.get("optimizer").asText());
      assertTrue(optimizer.get("suggestions").size() >= 7);
    }
  }

  @Test
  void theSameSeedGivesTheSameCurvesAndAnotherSeedDoesNot(@TempDir Path dir) throws IOException {
    String[] settings = {"--optimizers", "adam,sgd", "--steps", "60", "--seed", "5"};
    JsonNode first = find(dir.resolve("a"), settings);
    JsonNode second = find(dir.resolve("b"), settings);
    JsonNode other = find(dir.resolve("c"), "--optimizers", "adam,sgd", "--steps", "60", "--seed", "6");
    for (int i = 0; i < 2; i++) {
      for (String field : new String[] {"lr", "loss", "smoothed", "suggestions"}) {
        assertEquals(first.at("/optimizers/" + i + "/" + field), second.at("/optimizers/" + i + "/" + field));
      }
      assertNotEquals(first.at("/optimizers/" + i + "/loss"), other.at("/optimizers/" + i + "/loss"));
    }
  }

  @Test
  void jsonGoesToStdout(@TempDir Path dir) throws IOException {
    MainTest.Run result = run("find", BLOBS, "--optimizers", "adam", "--steps", "30",
        "--batch-size", "32", "--out", dir.resolve("r").toString(), "--json");
    assertEquals(0, result.exitCode(), result.err());
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertEquals("adam", json.at("/optimizers/0/optimizer").asText());
    assertEquals(30, json.at("/optimizers/0/lr").size());
  }

  @Test
  void neverOverwritesAReportAndRejectsBadSettings(@TempDir Path dir) throws IOException {
    Path taken = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(taken.resolve("index.html"), "an earlier report");
    String error = badInput(taken, "find", BLOBS, "--out", taken.toString());
    assertTrue(error.contains("not empty"), error);

    Path model = TestPaths.model("blobs_mlp");
    assertTrue(badInput(model, "find", BLOBS, "--start", "0").contains("--start"));
    assertTrue(badInput(model, "find", BLOBS, "--start", "1", "--end", "0.1").contains("end"));
    assertTrue(badInput(model, "find", BLOBS, "--schedule", "cosine").contains("schedule"));
    assertTrue(badInput(model, "find", BLOBS, "--steps", "10", "--epochs", "2").contains("epochs"));
    assertTrue(badInput(model, "find", BLOBS, "--optimizers", "adam,nadam").contains("nadam"));
    assertTrue(badInput(model, "find", BLOBS, "--stop-factor", "0.5").contains("stop factor"));
  }

  @Test
  void aKeras2SavedModelIsTrainedDirectlyAndMatchesItsExportedTwin(@TempDir Path dir)
      throws IOException {
    // savedmodels/keras2/blobs_mlp holds the weights of savedmodels/blobs_mlp in a plain tf_keras
    // SavedModel; the direct path's curves must follow the exported model's.
    String[] settings = {"--optimizers", "adam,sgd", "--steps", "40", "--batch-size", "32"};
    JsonNode exported = find(dir.resolve("exported"), settings);
    String[] direct = new String[settings.length + 3];
    direct[0] = "find";
    direct[1] = TestPaths.model("keras2/blobs_mlp").toString();
    direct[2] = "--out=" + dir.resolve("direct");
    System.arraycopy(settings, 0, direct, 3, settings.length);
    MainTest.Run result = run(direct);
    assertEquals(0, result.exitCode(), result.err());
    JsonNode directResult = new ObjectMapper().readTree(
        dir.resolve("direct").resolve("result.json").toFile());
    assertTrue(directResult.get("model").get("training_path").asText().startsWith("direct: "));
    assertTrue(exported.get("model").get("training_path").asText().startsWith("exported: "));
    for (int o = 0; o < 2; o++) {
      JsonNode a = exported.get("optimizers").get(o).get("loss");
      JsonNode b = directResult.get("optimizers").get(o).get("loss");
      assertEquals(a.size(), b.size());
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.get(i).asDouble(), b.get(i).asDouble(), 1e-6 * Math.abs(a.get(i).asDouble()),
            "step " + i);
      }
    }
  }

  @Test
  void directTrainingErrorsAreOneLine() {
    Path plain = TestPaths.fixture("keras2/uncompiled");
    String data = TestPaths.fixture("keras2/mlp.npz").toString();
    assertTrue(badInput(plain, "find", plain.toString(), "--data", data).contains("--loss"));
    assertTrue(badInput(plain, "find", plain.toString(), "--data", data, "--loss", "hinge")
        .contains("hinge"));
  }
}
