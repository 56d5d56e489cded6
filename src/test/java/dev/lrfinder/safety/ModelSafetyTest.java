package dev.lrfinder.safety;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.model.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSafetyTest {
  /** Every SavedModel under savedmodels/ and the test fixtures (none of them is malicious). */
  static List<Path> bundledSavedModels() throws IOException {
    List<Path> dirs = new java.util.ArrayList<>();
    for (Path root : List.of(TestPaths.root().resolve("savedmodels"),
        TestPaths.root().resolve("src/test/resources/fixtures"))) {
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(p -> p.getFileName().toString().equals("saved_model.pb"))
            .map(Path::getParent).sorted().forEach(dirs::add);
      }
    }
    return dirs;
  }

  @Test
  void everyBundledModelAndFixturePassesTheScan() throws IOException {
    List<Path> dirs = bundledSavedModels();
    // savedmodels/{blobs_mlp,mnist_cnn,keras2/*} and the 9 fixtures under fixtures/.
    assertTrue(dirs.size() >= 13, dirs.toString());
    for (Path dir : dirs) {
      ScanReport report = ModelSafety.scan(dir);
      assertTrue(report.safe(), dir + ": " + report.findings());
      assertTrue(report.graphNodes() > 0 && report.functions() > 0, dir.toString());
      assertDoesNotThrow(() -> ModelSafety.requireSafe(dir, ModelTrust.SCAN_FIRST));
    }
  }

  @Test
  void aFileThatIsNoSavedModelIsRefusedInOneSentence(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("saved_model.pb"), new byte[] {0, 1, 2, 3, (byte) 0xff});
    ModelException e = assertThrows(ModelException.class, () -> ModelSafety.scan(dir));
    assertTrue(e.getMessage().startsWith("'" + dir.resolve("saved_model.pb")
        + "' is truncated or corrupt: it does not parse as a SavedModel"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void aTrustedModelIsNotEvenRead(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("saved_model.pb"), new byte[] {0, 1, 2, 3});
    assertDoesNotThrow(() -> ModelSafety.requireSafe(dir, ModelTrust.TRUSTED));
    assertThrows(ModelException.class, () -> ModelSafety.requireSafe(dir, ModelTrust.SCAN_FIRST));
  }
}
