package dev.lrfinder.exported;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.DType;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.runtime.CheckpointIndex;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportedModelTest {
  private static ExportedModel blobs;
  private static Batches batches;

  @BeforeAll
  static void load() {
    blobs = ExportedModel.load(TestPaths.model("blobs_mlp"));
    Dataset data = Dataset.load(TestPaths.data("blobs_mlp"), "train", "label");
    batches = new Batches(data, 32, true, 7);
  }

  @AfterAll
  static void close() {
    blobs.close();
  }

  @Test
  void loadsBothBundledModelsWithTheirContracts() {
    assertEquals(List.of("sgd", "sgd_momentum", "rmsprop", "adagrad", "adam"), blobs.optimizers());
    assertEquals(new TensorSpec("x", DType.FLOAT32, new long[] {-1, 2}), blobs.inputSpec());
    assertEquals(303, blobs.contract().parameterCount());
    try (ExportedModel mnist = ExportedModel.load(TestPaths.model("mnist_cnn"))) {
      assertEquals(List.of("sgd", "adam"), mnist.optimizers());
      assertEquals(new TensorSpec("x", DType.UINT8, new long[] {-1, 28, 28, 1}), mnist.inputSpec());
      assertEquals(DType.INT32, mnist.labelSpec().dtype());
      assertEquals(10, mnist.labelSpec().values().classes(), "classes of serving_default's output");
      assertEquals(0.001, mnist.learningRate("adam"), 1e-9);
    }
  }

  @Test
  void learningRateRoundTripsPerOptimizer() {
    ModelSnapshot start = blobs.snapshot();
    try {
      blobs.setLearningRate("adam", 0.125);
      blobs.setLearningRate("sgd", 3.5);
      assertEquals(0.125, blobs.learningRate("adam"));
      assertEquals(3.5, blobs.learningRate("sgd"));
      assertEquals(0.001, blobs.learningRate("rmsprop"), 1e-9, "other optimizers keep theirs");
    } finally {
      blobs.restore(start);
    }
    assertEquals(0.001, blobs.learningRate("adam"), 1e-9, "restore brings the learning rate back");
  }

  @Test
  void aStepAtLearningRateZeroLeavesTheModelUnchangedAndTheRateChangesTheStep() {
    ModelSnapshot start = blobs.snapshot();
    try {
      Batch probe = batches.get(100);
      double before = blobs.evaluate(probe).loss();
      blobs.setLearningRate("sgd", 0.0);
      blobs.trainStep("sgd", batches.get(0));
      assertEquals(before, blobs.evaluate(probe).loss(), 0.0);

      blobs.setLearningRate("sgd", 0.5);
      blobs.trainStep("sgd", batches.get(0));
      assertNotEquals(before, blobs.evaluate(probe).loss());
    } finally {
      blobs.restore(start);
    }
  }

  @Test
  void fiftyAdamStepsLowerTheLoss() {
    ModelSnapshot start = blobs.snapshot();
    try {
      Batch probe = batches.get(0);
      double before = blobs.evaluate(probe).loss();
      blobs.setLearningRate("adam", 0.01);
      for (int step = 0; step < 50; step++) {
        StepResult result = blobs.trainStep("adam", batches.get(step));
        assertTrue(Double.isFinite(result.loss()));
        assertTrue(result.metrics().containsKey("accuracy"));
      }
      double after = blobs.evaluate(probe).loss();
      assertTrue(after < 0.8 * before, "loss " + before + " -> " + after);
    } finally {
      blobs.restore(start);
    }
  }

  @Test
  void inMemorySnapshotRestoresEveryVariableBitForBit() {
    ModelSnapshot.InMemory start = (ModelSnapshot.InMemory) blobs.snapshot();
    for (int step = 0; step < 20; step++) {
      blobs.trainStep("adam", batches.get(step));
      blobs.trainStep("sgd_momentum", batches.get(step));
    }
    ModelSnapshot.InMemory trained = (ModelSnapshot.InMemory) blobs.snapshot();
    assertNotEquals(start.values(), trained.values());
    StepResult afterTraining = blobs.trainStep("adam", batches.get(20));

    blobs.restore(start);
    assertEquals(start.values(), ((ModelSnapshot.InMemory) blobs.snapshot()).values());
    for (int step = 0; step < 20; step++) {
      blobs.trainStep("adam", batches.get(step));
      blobs.trainStep("sgd_momentum", batches.get(step));
    }
    // Same variables after the replay means slots and iteration counters were restored too.
    assertEquals(trained.values(), ((ModelSnapshot.InMemory) blobs.snapshot()).values());
    assertEquals(afterTraining.loss(), blobs.trainStep("adam", batches.get(20)).loss(), 0.0);
    blobs.restore(start);
  }

  @Test
  void snapshotCoversOptimizerSlotsIterationsAndLearningRates() {
    List<String> names = blobs.variableNames();
    assertTrue(names.contains("adam/iteration"), names.toString());
    assertTrue(names.contains("adam/learning_rate"), names.toString());
    assertTrue(names.stream().anyMatch(n -> n.startsWith("adam/") && n.endsWith("_momentum")));
    assertTrue(names.stream().anyMatch(n -> n.startsWith("blobs_mlp/dense")));
  }

  @Test
  void diskSnapshotHoldsExactlyTheInMemorySnapshotsVariablesAndRestoresThemBitForBit(
      @TempDir Path dir) {
    ModelSnapshot.InMemory start = (ModelSnapshot.InMemory) blobs.snapshot();
    Path prefix = dir.resolve("checkpoint");
    ModelSnapshot onDisk = blobs.snapshotToDisk(prefix);
    CheckpointIndex index = CheckpointIndex.read(CheckpointIndex.indexFile(prefix)).orElseThrow();
    assertEquals(new java.util.TreeSet<>(start.variableNames()), new java.util.TreeSet<>(
        index.entries().keySet()), "the checkpoint covers what the in-memory snapshot covers");
    for (int step = 0; step < 10; step++) {
      blobs.trainStep("rmsprop", batches.get(step));
      blobs.trainStep("adam", batches.get(step));
    }
    blobs.setLearningRate("rmsprop", 0.3);
    assertNotEquals(start.values(), ((ModelSnapshot.InMemory) blobs.snapshot()).values());
    blobs.restore(onDisk);
    assertEquals(start.values(), ((ModelSnapshot.InMemory) blobs.snapshot()).values());
    // Restoring twice from one checkpoint works (the range test restores once per optimizer).
    blobs.trainStep("adam", batches.get(0));
    blobs.restore(onDisk);
    assertEquals(start.values(), ((ModelSnapshot.InMemory) blobs.snapshot()).values());
  }

  @Test
  void twoInstancesOfOneModelShareNoVariables() {
    try (ExportedModel other = ExportedModel.load(TestPaths.model("blobs_mlp"))) {
      Batch probe = batches.get(3);
      double fresh = other.evaluate(probe).loss();
      ModelSnapshot start = blobs.snapshot();
      blobs.setLearningRate("sgd", 0.5);
      for (int step = 0; step < 10; step++) {
        blobs.trainStep("sgd", batches.get(step));
      }
      assertNotEquals(fresh, blobs.evaluate(probe).loss());
      assertEquals(fresh, other.evaluate(probe).loss(), 0.0);
      assertEquals(0.01, other.learningRate("sgd"), 1e-9);
      blobs.restore(start);
    }
  }

  @Test
  void rejectsBatchesThatDoNotFitTheInput() {
    Batch wrongShape = new Batch(HostArray.ofFloats(new long[] {2, 3}, new float[6]),
        HostArray.ofInts(new long[] {2}, 0, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> blobs.trainStep("adam", wrongShape));
    assertTrue(e.getMessage().contains("float32[?, 2]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> blobs.learningRate("nadam"));
  }
}
