package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.BuiltFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every feature of the compatibility matrix, proven from Java without network: one synthetic
 * Keras model per feature (an LSTM text model from tf.keras as .h5 and as a SavedModel, a loss
 * object, Conv2DTranspose, Normalization of unknown size, an unbuilt Sequential, stateful metrics,
 * softmax_v2, a subclassed model with --custom-objects, two- and 11-input models with strings,
 * feature columns, two outputs with loss weights, a legacy RMSprop with decay, files Keras 3 wrote
 * as .h5 or tf.keras as .keras...), built and exported by {@code tools/fixtures/export_compat_fixtures.py}
 * ({@link BuiltFixtures#COMPAT}), then run through {@code inspect} and {@code find} in this JVM as
 * a user would: the data file the fixture ships, no other argument.
 */
class CompatFixturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @TestFactory
  Stream<DynamicTest> everyFixtureExportsAndRunsInspectAndFind() throws IOException {
    Optional<Path> built = BuiltFixtures.COMPAT.dir();
    assumeTrue(built.isPresent(), "no venv: the fixtures need Keras");
    Path root = built.get();
    JsonNode exports = JSON.readTree(root.resolve("exports.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode entry : exports) {
      String name = entry.get("name").asText();
      tests.add(DynamicTest.dynamicTest(name + ": " + entry.get("tests").asText(),
          () -> inspectAndFind(root, entry)));
    }
    assertTrue(tests.size() >= 20, "fixtures: " + tests.size());
    return tests.stream();
  }

  private void inspectAndFind(Path root, JsonNode entry) throws IOException {
    Path model = root.resolve(entry.get("export").asText());
    Path data = root.resolve(entry.get("data").asText());
    String before = MainTest.checksum(model);

    MainTest.Run inspect = MainTest.run("inspect", model.toString(), "--json");
    assertEquals(0, inspect.exitCode(), inspect.err());
    JsonNode contract = JSON.readTree(inspect.out()).path("contract");
    assertEquals(entry.get("outputs").asInt(), contract.path("outputs").size(), inspect.out());
    for (JsonNode note : entry.get("notes")) {
      assertTrue(contract.path("notes").toString().contains(note.asText().substring(0, 20)),
          "inspect shows the export's note '" + note.asText() + "'");
    }

    Path out = tmp.resolve(entry.get("name").asText());
    MainTest.Run find = MainTest.run("find", model.toString(), "--data", data.toString(),
        "--steps", "12", "--batch-size", "16", "--skip-begin", "2", "--out", out.toString());
    assertEquals(0, find.exitCode(), find.err());
    for (String line : find.err().lines().toList()) {
      assertFalse(MainTest.INTERNALS.stream().anyMatch(line::contains), line);
    }
    JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
    JsonNode optimizers = result.get("optimizers");
    assertTrue(optimizers.size() >= 1);
    for (JsonNode optimizer : optimizers) {
      JsonNode losses = optimizer.get("train_loss");
      assertTrue(losses.size() >= 1, optimizer.get("optimizer").asText());
      assertTrue(Double.isFinite(losses.get(0).asDouble()), "first loss " + losses.get(0));
      if (entry.get("outputs").asInt() > 1) {
        assertEquals(entry.get("outputs").asInt(), optimizer.path("output_losses").size(),
            "each output's own loss is recorded");
      }
    }
    assertEquals(before, MainTest.checksum(model), "the model on disk is never changed");
  }
}
