package dev.lrfinder.exported;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lrfinder.BuiltFixtures;
import dev.lrfinder.LiveKeras;
import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.runtime.SessionModelChecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The step at a rate ({@code trainStep(optimizer, rate, batch)}): one call of
 * {@code train_at_lr_K} on a model exported now by scripts/export.py (the bundled blobs_mlp's
 * Keras source, skipped without a venv), and on the bundled v1 exports, which predate that
 * signature, {@code set_lr_K} chained before {@code train_K} in the graph; equal to setting the
 * rate then training, bit for bit, and atomic across threads.
 */
class FusedStepTest {
  @TempDir
  static Path tmp;
  private static Optional<Path> exported;
  private static Batches batches;

  @BeforeAll
  static void export() throws IOException, InterruptedException {
    batches = new Batches(Dataset.load(TestPaths.data("blobs_mlp"), "train", "label"), 32, true,
        3);
    Optional<Path> python = LiveKeras.python();
    if (python.isEmpty()) {
      exported = Optional.empty();
      return;
    }
    Path out = tmp.resolve("blobs_mlp");
    Path log = tmp.resolve("export.log");
    Process process = new ProcessBuilder(python.get().toString(),
        TestPaths.root().resolve("scripts/export.py").toString(),
        TestPaths.model("sources/blobs_mlp.keras").toString(), "--out", out.toString(),
        "--optimizer", "sgd", "--optimizer", "adam")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "export ran over 5 minutes");
    assertEquals(0, process.exitValue(), () -> readLog(log));
    exported = Optional.of(out);
  }

  private static String readLog(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static Path fresh() {
    assumeTrue(exported.isPresent(), "no .venv: no model exported with train_at_lr_K");
    return exported.get();
  }

  @Test
  void freshExportTrainsAtARateInOneCallEqualToTwoCalls() {
    try (ExportedModel fused = ExportedModel.load(fresh());
        ExportedModel split = ExportedModel.load(fresh())) {
      assertTrue(fused.hasFusedStep("adam") && fused.hasFusedStep("sgd"));
      assertEquals(TrainingPath.Kind.EXPORTED, fused.trainingPath().kind());
      SessionModelChecks.assertFusedStepEqualsTwoCalls(fused, split, "adam", batches, 20);
      SessionModelChecks.assertFusedStepEqualsTwoCalls(fused, split, "sgd", batches, 10);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"two_inputs", "two_outputs"})
  void severalInputsOrOutputsTrainAtARateInOneCallEqualToTwoCalls(String name) {
    Optional<Path> models = BuiltFixtures.MULTI_IO.dir();
    assumeTrue(models.isPresent(), "no .venv: the contract v2 models cannot be built");
    Path dir = models.get().resolve(name);
    try (ExportedModel fused = ExportedModel.load(dir);
        ExportedModel split = ExportedModel.load(dir)) {
      String optimizer = fused.optimizers().get(0);
      assertTrue(fused.hasFusedStep(optimizer));
      Dataset data = fused.conform(DataFile.load(models.get().resolve(name + ".npz"),
          fused.layout(), "label", MemoryBudget.heap()).train());
      SessionModelChecks.assertFusedStepEqualsTwoCalls(fused, split, optimizer,
          new Batches(data, 16, true, 1), 10);
    }
  }

  @Test
  void bundledV1ExportChainsItsTwoSignaturesIntoOneRunEqualToTwoCalls() {
    try (ExportedModel fused = ExportedModel.load(TestPaths.model("blobs_mlp"));
        ExportedModel split = ExportedModel.load(TestPaths.model("blobs_mlp"))) {
      for (String key : fused.optimizers()) {
        assertTrue(fused.hasFusedStep(key), key);
      }
      assertEquals("exported: training contract v1 from scripts/export.py",
          fused.trainingPath().toString());
      SessionModelChecks.assertFusedStepEqualsTwoCalls(fused, split, "adam", batches, 20);
      SessionModelChecks.assertFusedStepEqualsTwoCalls(fused, split, "sgd_momentum", batches, 10);
    }
    try (ExportedModel fused = ExportedModel.load(TestPaths.model("mnist_cnn"));
        ExportedModel split = ExportedModel.load(TestPaths.model("mnist_cnn"))) {
      Batches digits = new Batches(fused.conform(Dataset.load(TestPaths.data("mnist_cnn"),
          "train", "label")), 64, true, 2);
      SessionModelChecks.assertFusedStepEqualsTwoCalls(fused, split, "adam", digits, 3);
    }
  }

  @Test
  void threadsOnOneInstanceNeverSplitAStep() throws Exception {
    try (ExportedModel model = ExportedModel.load(TestPaths.model("blobs_mlp"))) {
      SessionModelChecks.assertCallsAreAtomicAcrossThreads(model, "sgd", batches, 150, 3);
    }
    if (exported.isPresent()) {
      try (ExportedModel model = ExportedModel.load(exported.get())) {
        SessionModelChecks.assertCallsAreAtomicAcrossThreads(model, "sgd", batches, 150, 3);
      }
    }
  }

  @Test
  void badCallsAreRefusedWithOneSentenceBeforeTensorFlowRuns() {
    ExportedModel model = ExportedModel.load(TestPaths.model("blobs_mlp"));
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep("nadam", 0.1, batches.get(0)));
    assertEquals("the model has no optimizer 'nadam'; it has sgd, sgd_momentum, rmsprop,"
        + " adagrad, adam", unknown.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> model.trainStep("adam", Double.NaN, batches.get(0)));
    assertThrows(IllegalArgumentException.class, () -> model.learningRate("nadam"));
    model.close();
    model.close(); // a second close does nothing
    IllegalStateException closed = assertThrows(IllegalStateException.class,
        () -> model.trainStep("adam", 0.1, batches.get(0)));
    assertEquals("model 'blobs_mlp' is closed", closed.getMessage());
    assertEquals(List.of("sgd", "sgd_momentum", "rmsprop", "adagrad", "adam"), model.optimizers());
  }
}
