package dev.lrfinder.exported;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lrfinder.BuiltFixtures;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainableModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Optimizer slots saved empty (docs/scale.md): the same small CNN exported by this checkout's
 * {@code scripts/export.py} with its slots saved empty ({@code lazy_*}, the default) and full
 * ({@code full_*}, as exports were before), by Keras 3 and by tf_keras, with SGD momentum, Adam and
 * Adagrad (whose slots start at 0.1). Training from either export gives the same numbers, bit for
 * bit (both run here, on this machine), and the range test's restore of the start state is exact.
 */
class LazySlotsTest {
  private static final BuiltFixtures SLOTS = new BuiltFixtures("slots",
      "make_slot_fixtures.py", List.of());
  private static final List<String> OPTIMIZERS = List.of("sgd_momentum", "adam", "adagrad");
  private static final int STEPS = 5;

  private static Optional<Path> fixtures;

  @TempDir
  Path tmp;

  @BeforeAll
  static void build() {
    fixtures = SLOTS.dir();
  }

  private static Path export(String name) {
    assumeTrue(fixtures.isPresent(), "no venv: the fixtures need Keras");
    return fixtures.get().resolve(name);
  }

  private static Batches batches(TrainableModel model) {
    Dataset data = model.conform(Dataset.load(fixtures.get().resolve("data.npz"), "train",
        "label"));
    return new Batches(data, 16, true, 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"k3", "tfk"})
  void theLazyExportSavesNoSlotValuesAndItsStartSnapshotHoldsNone(String library)
      throws IOException {
    try (ExportedModel lazy = ExportedModel.load(export("lazy_" + library));
        ExportedModel full = ExportedModel.load(export("full_" + library))) {
      long trainable = lazy.contract().trainableParameterCount();
      // SGD momentum keeps one slot per weight, Adam two, Adagrad one: four copies of the weights.
      long slotBytes = 4 * trainable * Float.BYTES;
      long lazyData = checkpointDataBytes(export("lazy_" + library));
      long fullData = checkpointDataBytes(export("full_" + library));
      assertTrue(fullData - lazyData >= slotBytes,
          "full " + fullData + " B, lazy " + lazyData + " B, slots " + slotBytes + " B");

      ModelSnapshot.InMemory lazyStart = (ModelSnapshot.InMemory) lazy.snapshot();
      ModelSnapshot.InMemory fullStart = (ModelSnapshot.InMemory) full.snapshot();
      long weightBytes = lazy.contract().parameterCount() * Float.BYTES;
      assertTrue(lazyStart.byteSize() <= weightBytes + 8L * lazyStart.values().size(),
          "lazy start snapshot " + lazyStart.byteSize() + " B for " + weightBytes + " B of weights");
      assertEquals(fullStart.byteSize() - lazyStart.byteSize(), slotBytes,
          "the full export's snapshot holds every slot on top");
      assertEquals(lazyStart.values().size(), fullStart.values().size(), "the same variables");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"k3", "tfk"})
  void trainingFromTheLazyExportEqualsTrainingFromTheFullOne(String library) {
    try (ExportedModel lazy = ExportedModel.load(export("lazy_" + library));
        ExportedModel full = ExportedModel.load(export("full_" + library))) {
      List<StepResult> fromLazy = rangeTest(lazy);
      List<StepResult> fromFull = rangeTest(full);
      assertEquals(fromFull, fromLazy, "every step's loss and metrics, bit for bit");
      assertEquals(OPTIMIZERS.size() * (STEPS + 1), fromLazy.size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"k3", "tfk"})
  void restoringTheStartStateIsExactAndTrainsAlikeAgain(String library) {
    try (ExportedModel model = ExportedModel.load(export("lazy_" + library))) {
      Batches batches = batches(model);
      ModelSnapshot.InMemory start = (ModelSnapshot.InMemory) model.snapshot();
      ModelSnapshot onDisk = model.snapshotToDisk(tmp.resolve("start"));
      for (String optimizer : OPTIMIZERS) {
        List<Double> first = steps(model, optimizer, batches, 0, 3);
        ModelSnapshot.InMemory middle = (ModelSnapshot.InMemory) model.snapshot();
        assertTrue(middle.byteSize() > start.byteSize(), optimizer + ": its first step filled"
            + " its slots");
        double fourth = steps(model, optimizer, batches, 3, 1).get(0);

        model.restore(start);
        assertEquals(start, model.snapshot(), optimizer + ": every variable as it was, the"
            + " slots empty again");
        assertEquals(first, steps(model, optimizer, batches, 0, 3), optimizer + ": again");

        model.restore(onDisk);
        assertEquals(start, model.snapshot(), optimizer + ": restored from the checkpoint");
        model.restore(middle); // full slots into empty variables
        assertEquals(middle, model.snapshot());
        assertEquals(fourth, steps(model, optimizer, batches, 3, 1).get(0), 0.0,
            optimizer + ": the step after the restored middle state");
        model.restore(start);
      }
      assertEquals(start, model.snapshot());
    }
  }

  /**
   * What the range test does: from one start state, each optimizer in turn runs {@link #STEPS}
   * steps at a rising rate and the start state is restored; an evaluation closes each run.
   */
  private static List<StepResult> rangeTest(TrainableModel model) {
    Batches batches = batches(model);
    ModelSnapshot start = model.snapshot();
    List<StepResult> results = new ArrayList<>();
    for (String optimizer : OPTIMIZERS) {
      for (int i = 0; i < STEPS; i++) {
        results.add(model.trainStep(optimizer, 1e-3 * Math.pow(4, i), batches.get(i)));
      }
      results.add(model.evaluate(batches.get(STEPS)));
      model.restore(start);
    }
    assertNotEquals(results.get(0), results.get(STEPS - 1), "the steps train");
    return results;
  }

  private static List<Double> steps(TrainableModel model, String optimizer, Batches batches,
      int from, int count) {
    List<Double> losses = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      losses.add(model.trainStep(optimizer, 0.01, batches.get(i)).loss());
    }
    return losses;
  }

  private static long checkpointDataBytes(Path export) throws IOException {
    try (Stream<Path> files = Files.list(export.resolve("variables"))) {
      long total = 0;
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("variables.data"))
          .toList()) {
        total += Files.size(f);
      }
      return total;
    }
  }
}
