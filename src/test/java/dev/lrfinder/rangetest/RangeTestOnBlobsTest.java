package dev.lrfinder.rangetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.exported.ExportedModel;
import dev.lrfinder.model.ModelSnapshot;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The range test on the bundled blobs_mlp model, end to end through TensorFlow. */
class RangeTestOnBlobsTest {
  private static ExportedModel model;
  private static Dataset train;

  @BeforeAll
  static void load() {
    model = ExportedModel.load(TestPaths.model("blobs_mlp"));
    train = model.conform(Dataset.load(TestPaths.data("blobs_mlp"), "train", "label"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static RangeTestConfig.Builder config() {
    return RangeTestConfig.builder().batchSize(32).steps(100);
  }

  @Test
  void everyOptimizerRunsFromTheSameStartAndTheModelComesBackExactly() {
    ModelSnapshot.InMemory before = (ModelSnapshot.InMemory) model.snapshot();
    RangeTestResult result = new RangeTest(config().build()).run(model, train, null);

    assertEquals(model.optimizers(), result.curves().stream().map(OptimizerCurve::optimizer).toList());
    double firstLoss = result.curves().get(0).losses().get(0);
    for (OptimizerCurve curve : result.curves()) {
      assertEquals(firstLoss, curve.losses().get(0), 0.0, curve.optimizer() + " started elsewhere");
      assertEquals(1e-7, curve.learningRates().get(0), 0.0);
      assertTrue(curve.stepsRun() > 20, curve.optimizer() + " ran " + curve.stepsRun());
    }
    assertEquals(before.values(), ((ModelSnapshot.InMemory) model.snapshot()).values());
    assertEquals(0.001, model.learningRate("adam"), 1e-9);
  }

  @Test
  void theLossFallsThenDivergesForSgd() {
    OptimizerCurve sgd = new RangeTest(config().optimizers(List.of("sgd")).build())
        .run(model, train, null).curve("sgd");
    assertEquals(StopReason.DIVERGED, sgd.stopReason(), "1e-7..10 over 100 steps blows SGD up");
    assertTrue(sgd.bestSmoothedLoss() < 0.8 * sgd.smoothedLosses().get(0));
  }

  @Test
  void theSameSeedGivesBitIdenticalCurvesAndAnotherSeedDoesNot() {
    RangeTestConfig config = config().optimizers(List.of("adam", "rmsprop")).seed(3).build();
    RangeTestResult first = new RangeTest(config).run(model, train, null);
    RangeTestResult second = new RangeTest(config).run(model, train, null);
    RangeTestResult other = new RangeTest(config.toBuilder().seed(4).build()).run(model, train, null);
    for (String optimizer : List.of("adam", "rmsprop")) {
      assertEquals(first.curve(optimizer).losses(), second.curve(optimizer).losses());
      assertEquals(first.curve(optimizer).smoothedLosses(), second.curve(optimizer).smoothedLosses());
      assertNotEquals(first.curve(optimizer).losses(), other.curve(optimizer).losses());
    }
  }

  @Test
  void aListenerThatThrowsMidRunLeavesTheModelRestored() {
    ModelSnapshot.InMemory before = (ModelSnapshot.InMemory) model.snapshot();
    RangeTestListener failing = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        if (event.step() == 30) {
          throw new IllegalStateException("boom");
        }
        return StepDecision.CONTINUE;
      }
    };
    assertThrows(IllegalStateException.class,
        () -> new RangeTest(config().build(), List.of(failing)).run(model, train, null));
    assertEquals(before.values(), ((ModelSnapshot.InMemory) model.snapshot()).values());
  }

  @Test
  void validationModeMeasuresTheHeldOutLossEveryStep() {
    Dataset test = model.conform(Dataset.load(TestPaths.data("blobs_mlp"), "test", "label"));
    OptimizerCurve curve = new RangeTest(config().optimizers(List.of("adam")).validationBatches(4)
        .steps(30).stopFactor(0).build()).run(model, train, test).curve("adam");
    assertEquals(30, curve.stepsRun());
    assertNotEquals(curve.trainLosses(), curve.losses());
  }

  @Test
  void aStartStateOnDiskRestoresExactlyAndLeavesNoFiles() throws java.io.IOException {
    java.nio.file.Path tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    java.util.function.Supplier<Long> startDirs = () -> {
      try (java.util.stream.Stream<java.nio.file.Path> entries = java.nio.file.Files.list(tmp)) {
        return entries.filter(p -> p.getFileName().toString().startsWith("lrfinder-start-")).count();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    long before = startDirs.get();
    ModelSnapshot.InMemory state = (ModelSnapshot.InMemory) model.snapshot();
    RangeTestResult onDisk = new RangeTest(config().optimizers(List.of("adam", "sgd"))
        .snapshotOnDisk(true).build()).run(model, train, null);
    RangeTestResult inMemory = new RangeTest(config().optimizers(List.of("adam", "sgd")).build())
        .run(model, train, null);

    assertEquals(state.values(), ((ModelSnapshot.InMemory) model.snapshot()).values());
    assertEquals(inMemory.curve("sgd").losses(), onDisk.curve("sgd").losses());
    assertEquals(before, startDirs.get());
  }
}
