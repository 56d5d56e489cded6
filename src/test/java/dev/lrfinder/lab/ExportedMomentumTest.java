package dev.lrfinder.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.BuiltFixtures;
import dev.lrfinder.LiveKeras;
import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.exported.ExportedModel;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.schedule.OneCycle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One-cycle's momentum on the exported path: the blobs MLP's Keras 3 source ({@code keras3}) and
 * its Keras 2 SavedModel ({@code tf_keras}, exported with tf_keras) exported in this run by
 * scripts/export.py with the momentum signatures, and each with the stock Keras optimizers
 * ({@code KIND_stock}, as exports before them), by
 * {@code tools/fixtures/export_momentum_fixtures.py}; skipped without the venv. One-cycle sets the
 * momentum of every step, as on the direct path; steps with the momentum changed at each equal
 * the stock Keras optimizer with its attribute set per step ({@code momentum_reference.py}, live);
 * at a fixed momentum the settable export trains as the stock one bit for bit.
 */
class ExportedMomentumTest {
  private static final BuiltFixtures EXPORTS = new BuiltFixtures("momentum-export",
      "export_momentum_fixtures.py", List.of());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EPOCHS = 3;
  private static final int BATCH = 32;

  private static final int REFERENCE_STEPS = 16;
  /** The reference runs: export kind, optimizer key, its export.py spec, one-cycle's max rate. */
  private static final List<Arguments> REFERENCE_CASES = List.of(
      Arguments.of("keras3", "sgd_momentum", "sgd:momentum=0.9", 0.1),
      Arguments.of("keras3", "nesterov", "sgd:momentum=0.9,nesterov=true", 0.1),
      Arguments.of("keras3", "rmsprop_momentum", "rmsprop:momentum=0.5", 0.001),
      Arguments.of("keras3", "adam", "adam", 0.01),
      Arguments.of("keras3", "adamw", "adamw:weight_decay=0.01", 0.01),
      Arguments.of("tf_keras", "sgd_momentum", "sgd:momentum=0.9", 0.1),
      Arguments.of("tf_keras", "nesterov", "sgd:momentum=0.9,nesterov=true", 0.1),
      Arguments.of("tf_keras", "rmsprop_momentum", "rmsprop:momentum=0.5", 0.001),
      Arguments.of("tf_keras", "adam", "adam", 0.01),
      Arguments.of("tf_keras", "adamw", "adamw:weight_decay=0.01", 0.01));
  /** The live reference of every case, by "kind/optimizer", once per test class. */
  private static JsonNode reference;

  static List<Arguments> referenceCases() {
    return REFERENCE_CASES;
  }

  /** A whole one-cycle (rate and momentum) in {@link #REFERENCE_STEPS} steps. */
  private static OneCycle referenceSchedule(double max) {
    return new OneCycle(max, REFERENCE_STEPS, 0.25, 25, 1e5, 0.95, 0.85, true);
  }

  /**
   * {@code momentum_reference.py} run once for every case (one Python process; each case starts
   * from its source's saved weights): the steps' losses and the loss after the last.
   */
  private static synchronized JsonNode reference() throws IOException {
    if (reference != null) {
      return reference;
    }
    List<Map<String, Object>> runs = new ArrayList<>();
    for (Arguments arguments : REFERENCE_CASES) {
      Object[] a = arguments.get();
      String kind = (String) a[0];
      OneCycle schedule = referenceSchedule((Double) a[3]);
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("name", kind + "/" + a[1]);
      run.put("source", TestPaths.model(kind.equals("keras3") ? "sources/blobs_mlp.keras"
          : "keras2/blobs_mlp").toString());
      run.put("data", dataFile(kind).toString());
      run.put("optimizer", a[2]);
      run.put("rows", IntStream.range(0, REFERENCE_STEPS).mapToObj(ExportedMomentumTest::rows)
          .toList());
      run.put("lr", IntStream.range(0, REFERENCE_STEPS)
          .mapToObj(s -> schedule.learningRate(s, 0)).toList());
      run.put("momentum", IntStream.range(0, REFERENCE_STEPS)
          .mapToObj(s -> schedule.momentum(s, 0).getAsDouble()).toList());
      run.put("evaluate_rows", rows(0));
      runs.add(run);
    }
    Path work = Files.createDirectories(TestPaths.root().resolve("target/momentum-export"));
    Path requestFile = work.resolve("reference-request.json");
    JSON.writeValue(requestFile.toFile(), Map.of("runs", runs));
    Path out = LiveKeras.generate("momentum-reference", "momentum_reference.py",
        requestFile.toString()).orElseThrow();
    reference = JSON.readTree(out.resolve("losses.json").toFile());
    return reference;
  }

  private static Path export(String which) {
    Optional<Path> dir = EXPORTS.dir();
    assumeTrue(dir.isPresent(), "no .venv: no model exported with the momentum signatures");
    return dir.get().resolve(which);
  }

  /** The data of the export's source: the Keras 3 and the Keras 2 blobs MLP have their own. */
  private static Path dataFile(String kind) {
    return TestPaths.root().resolve(kind.startsWith("tf_keras") ? "savedmodels/keras2/blobs_mlp.npz"
        : "savedmodels/blobs_mlp.npz");
  }

  private static Dataset data(TrainableModel model, String kind) {
    return model.conform(DataFile.load(dataFile(kind), model.layout(), "label",
        MemoryBudget.heap()).train());
  }

  private static TrainingConfig config(String optimizer, double max, boolean cycle) {
    // 500 rows in batches of 32: 16 steps per epoch.
    OneCycle schedule = new OneCycle(max, EPOCHS * 16L, 0.25, 25, 1e5, 0.95, 0.85, cycle);
    return new TrainingConfig(optimizer, EPOCHS, BATCH, false, true, 3, Optional.of(schedule),
        List.of(), 0);
  }

  private static Batch batch(Dataset train, int step) {
    return train.batch(rows(step));
  }

  private static int[] rows(int step) {
    int from = (step * BATCH) % 480;
    return IntStream.range(from, from + BATCH).toArray();
  }

  /** As OneCycleMomentumTest's direct-path test, on the fresh export. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"keras3, sgd_momentum, 0.9, 0.1", "keras3, nesterov, 0.9, 0.1",
      "keras3, rmsprop_momentum, 0.5, 0.001", "keras3, adam, 0.9, 0.01",
      "keras3, adamw, 0.9, 0.01", "tf_keras, sgd_momentum, 0.9, 0.1",
      "tf_keras, rmsprop_momentum, 0.5, 0.001", "tf_keras, adam, 0.9, 0.01"})
  void oneCycleSetsTheMomentumOfEveryStep(String kind, String optimizer, double initial,
      double max) {
    try (ExportedModel loaded = ExportedModel.load(export(kind))) {
      assertEquals(TrainingPath.Kind.EXPORTED, loaded.trainingPath().kind());
      assertTrue(loaded.hasSettableMomentum(optimizer));
      assertEquals((float) initial, loaded.momentum(optimizer), "the config's momentum");
      OneCycleMomentumTest.Recording model = new OneCycleMomentumTest.Recording(loaded);
      Dataset train = data(model, kind);
      ModelSnapshot start = model.snapshot();

      TrainingConfig cycled = config(optimizer, max, true);
      TrainingResult result = new EpochTrainer(cycled).run(model, train, null);
      assertEquals(StopReason.EPOCHS_DONE, result.stopReason());
      assertEquals(List.of(), result.notes());
      assertEquals(result.steps(), model.momenta.size(), "every step set the momentum");
      OneCycle schedule = (OneCycle) cycled.schedule().orElseThrow();
      for (int s = 0; s < model.momenta.size(); s++) {
        double expected = schedule.momentum(s, s / 16).getAsDouble();
        assertEquals((double) (float) expected, model.momenta.get(s).doubleValue(), "step " + s);
      }
      assertNotEquals(model.momenta.get(0), model.momenta.get(12), "the momentum varied");
      assertEquals(result.steps(), result.stepMomenta().size());

      // The snapshot covers the momentum variables: restoring puts back the config's.
      model.restore(start);
      assertEquals((float) initial, model.momentum(optimizer));
      TrainingResult plain = new EpochTrainer(config(optimizer, max, false)).run(model, train,
          null);
      assertEquals(result.stepRates(), plain.stepRates(), "the same rates");
      assertEquals(List.of(), plain.stepMomenta());
      assertEquals(result.stepLosses().get(0), plain.stepLosses().get(0), "the same start");
      assertNotEquals(result.stepLosses(), plain.stepLosses(), "the momentum changed training");

      // A rerun from the start state repeats the cycled run bit for bit.
      model.restore(start);
      assertEquals(result.stepLosses(),
          new EpochTrainer(cycled).run(model, train, null).stepLosses());
    }
  }

  /**
   * Sixteen steps at one-cycle's rate and momentum (a whole cycle in 16 steps), through
   * {@code train_at_lr_momentum_K} (one run a step) and through {@code set_momentum_K} then the
   * step at a rate (equal bit for bit), against the stock Keras optimizer stepped eagerly in
   * Python with its {@code momentum} or {@code beta_1} attribute set before each step, live. Both
   * sides run the same ops on the same float32 values (the exporter's own train function, the
   * stock update); the Java side runs them in a graph without Grappler, Python eagerly, one
   * kernel at a time, so the losses may differ by a few float32 ulps of reduction order: 1e-6
   * relative allows that and nothing more (measured: 0 for all ten; the difference is printed).
   * The real mistakes move them far more (measured by breaking the reference: the momentum left
   * at its first value, 3e-3 to 1.4e-2 relative at step 2 for SGD, Nesterov and RMSprop). A
   * {@code 1 - beta_1} rounded from float32 instead of double moves Adam's losses by less than
   * 1e-6; the bit-for-bit test below catches it (measured: it fails Adam and AdamW at step 3).
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("referenceCases")
  void stepsAtChangingMomentumMatchStockKerasWithTheMomentumSetPerStep(String kind,
      String optimizer, String spec, double max) throws IOException {
    OneCycle schedule = referenceSchedule(max);
    List<Double> fusedLosses = new ArrayList<>();
    List<Double> splitLosses = new ArrayList<>();
    double fusedFinal;
    try (ExportedModel fused = ExportedModel.load(export(kind));
        ExportedModel split = ExportedModel.load(export(kind))) {
      Dataset train = data(fused, kind);
      for (int s = 0; s < REFERENCE_STEPS; s++) {
        double rate = schedule.learningRate(s, 0);
        double momentum = schedule.momentum(s, 0).getAsDouble();
        fusedLosses.add(fused.trainStep(optimizer, rate, momentum, batch(train, s)).loss());
        split.setMomentum(optimizer, momentum);
        splitLosses.add(split.trainStep(optimizer, rate, batch(train, s)).loss());
        assertEquals(split.momentum(optimizer), fused.momentum(optimizer), "step " + s);
        assertEquals((double) (float) momentum, fused.momentum(optimizer));
      }
      assertEquals(splitLosses, fusedLosses, "the fused step = set_momentum_K, then the step");
      fusedFinal = fused.evaluate(batch(train, 0)).loss();
      assertEquals(split.evaluate(batch(train, 0)).loss(), fusedFinal);
    }

    JsonNode reference = reference().get(kind + "/" + optimizer);
    double worst = 0;
    for (int s = 0; s < REFERENCE_STEPS; s++) {
      double expected = reference.get("losses").get(s).asDouble();
      double relative = Math.abs(fusedLosses.get(s) - expected) / Math.abs(expected);
      worst = Math.max(worst, relative);
      assertTrue(relative <= 1e-6, "step " + s + ": " + fusedLosses.get(s) + " from Java, "
          + expected + " from Keras");
    }
    double expectedFinal = reference.get("final_loss").asDouble();
    double finalRelative = Math.abs(fusedFinal - expectedFinal) / Math.abs(expectedFinal);
    assertTrue(finalRelative <= 1e-6, "after the last step: " + fusedFinal + " from Java, "
        + expectedFinal + " from Keras");
    System.out.printf("exported momentum steps (%s %s): worst relative loss difference %.3e,"
        + " after the last step %.3e%n", kind, optimizer, worst, finalRelative);
  }

  /**
   * The same one-cycle run, momentum cycled, on the Keras 2 blobs MLP through both paths: the
   * direct path (Java's optimizers in the graph) and its tf_keras export (tf_keras's optimizers,
   * with the momentum signatures), from the same weights and batches. Both compute tf_keras's
   * update at the step's rate and momentum; the direct path's ops are not Keras's own (its
   * gradients and updates differ from Keras's by a few float32 ulps per step, docs/direct.md:
   * 1.5e-7 measured on losses), which may compound over the run: 2e-6 relative on every loss
   * allows ten times the measured (1.2e-7 for SGD, 1.6e-7 for Adam over the 48 steps), while the
   * momentum cycled on one path only moves the losses by 0.37 (Adam) to 0.63 (SGD) relative
   * (measured with the export's run at a fixed momentum).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"sgd_momentum, 0.1", "adam, 0.01"})
  void oneCycleOnTheExportEqualsTheDirectPathOnItsSource(String optimizer, double max) {
    Path exported = export("tf_keras");
    dev.lrfinder.direct.DirectOptions options = new dev.lrfinder.direct.DirectOptions(
        Optional.empty(), List.of(optimizer), Map.of());
    try (TrainableModel direct = dev.lrfinder.loader.ModelLoader.load(
        TestPaths.model("keras2/blobs_mlp"), options);
        ExportedModel model = ExportedModel.load(exported)) {
      assertEquals(TrainingPath.Kind.DIRECT, direct.trainingPath().kind());
      TrainingConfig cycled = config(optimizer, max, true);
      TrainingResult viaDirect = new EpochTrainer(cycled).run(direct, data(direct, "tf_keras"),
          null);
      TrainingResult viaExport = new EpochTrainer(cycled).run(model, data(model, "tf_keras"),
          null);
      assertEquals(List.of(), viaDirect.notes());
      assertEquals(List.of(), viaExport.notes());
      assertEquals(viaDirect.stepMomenta(), viaExport.stepMomenta());
      double worst = 0;
      for (int s = 0; s < viaDirect.steps(); s++) {
        double a = viaDirect.stepLosses().get(s);
        double b = viaExport.stepLosses().get(s);
        double relative = Math.abs(a - b) / Math.abs(b);
        worst = Math.max(worst, relative);
        assertTrue(relative <= 2e-6, "step " + s + ": direct " + a + ", exported " + b);
      }
      System.out.printf("one-cycle direct vs exported (%s): worst relative loss difference"
          + " %.3e over %d steps%n", optimizer, worst, viaDirect.steps());
    }
  }

  /**
   * At the config's momentum the settable export trains as the stock optimizer's export, bit for
   * bit: every loss of 20 steps at changing rates, then every variable the stock export has
   * (weights, slots, iteration counters, rates). The steps set the momentum (to the config's
   * value, through {@code train_at_lr_momentum_K}) on a third copy, which trains the same.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"keras3, sgd, 0", "keras3, sgd_momentum, 0.9", "keras3, nesterov, 0.9",
      "keras3, rmsprop_momentum, 0.5", "keras3, adam, 0.9", "keras3, adamw, 0.9",
      "tf_keras, sgd, 0", "tf_keras, sgd_momentum, 0.9", "tf_keras, nesterov, 0.9",
      "tf_keras, rmsprop_momentum, 0.5", "tf_keras, adam, 0.9", "tf_keras, adamw, 0.9"})
  void atAFixedMomentumTheExportTrainsAsTheStockOptimizer(String kind, String optimizer,
      double momentum) {
    try (ExportedModel settable = ExportedModel.load(export(kind));
        ExportedModel setEachStep = ExportedModel.load(export(kind));
        ExportedModel stock = ExportedModel.load(export(kind + "_stock"))) {
      assertFalse(stock.hasSettableMomentum(optimizer));
      assertEquals(momentum > 0, settable.hasSettableMomentum(optimizer));
      assertEquals(stock.contract().optimizers(), settable.contract().optimizers(),
          "the metadata describes the stock classes and configs");
      Dataset train = data(stock, kind);
      for (int s = 0; s < 20; s++) {
        double rate = (optimizer.startsWith("sgd") || optimizer.equals("nesterov") ? 0.05 : 0.002)
            * (1 + s % 4);
        double expected = stock.trainStep(optimizer, rate, batch(train, s)).loss();
        assertEquals(expected, settable.trainStep(optimizer, rate, batch(train, s)).loss(),
            "step " + s);
        if (momentum > 0) {
          assertEquals(expected, setEachStep.trainStep(optimizer, rate, momentum,
              batch(train, s)).loss(), "step " + s + " at the momentum set");
        }
      }
      Map<String, byte[]> mine = raw(settable.snapshot());
      Map<String, byte[]> setEach = raw(setEachStep.snapshot());
      Map<String, byte[]> theirs = raw(stock.snapshot());
      assertTrue(mine.keySet().containsAll(theirs.keySet()),
          "the settable export has the stock one's variables: " + theirs.keySet());
      theirs.forEach((name, value) -> {
        assertArrayEquals(value, mine.get(name), name);
        if (momentum > 0) {
          assertArrayEquals(value, setEach.get(name), name + " (momentum set each step)");
        }
      });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"keras3", "tf_keras"})
  void momentumReadsAndSetsLikeTheDirectPath(String kind) {
    try (ExportedModel model = ExportedModel.load(export(kind))) {
      assertEquals((float) 0.9, model.momentum("adam"));
      model.setMomentum("adam", 0.85);
      assertEquals((double) (float) 0.85, model.momentum("adam"));
      assertEquals((float) 0.9, model.momentum("adamw"), "the other optimizers keep theirs");
      model.setMomentum("sgd_momentum", 0);
      assertEquals(0.0, model.momentum("sgd_momentum"));
      assertThrows(IllegalArgumentException.class, () -> model.setMomentum("adam", 1.5));
      assertThrows(IllegalArgumentException.class, () -> model.setMomentum("adam", Double.NaN));
      assertFalse(model.hasSettableMomentum("sgd"), "SGD at momentum 0 has no momentum term");
      UnsupportedOperationException none = assertThrows(UnsupportedOperationException.class,
          () -> model.momentum("sgd"));
      assertEquals("optimizer 'sgd' of model '" + model.contract().modelName() + "' has no"
          + " momentum that exported training can set", none.getMessage());
    }
  }

  /**
   * The stock exports (as every export before the momentum signatures) and the bundled
   * {@code savedmodels/blobs_mlp} train at the optimizer's own momentum, with a note.
   */
  @ParameterizedTest
  @ValueSource(strings = {"keras3_stock", "tf_keras_stock", "bundled"})
  void exportsWithoutTheSignaturesTrainAtTheirOwnMomentumWithANote(String which) {
    Path dir = which.equals("bundled") ? TestPaths.model("blobs_mlp") : export(which);
    try (ExportedModel model = ExportedModel.load(dir)) {
      Dataset train = data(model, which);
      ModelSnapshot start = model.snapshot();
      TrainingResult cycled = new EpochTrainer(config("sgd_momentum", 0.1, true)).run(model,
          train, null);
      assertEquals(List.of("one-cycle's momentum is not applied: this export's step function has"
          + " the optimizer's momentum fixed in it (it has no set_momentum_sgd_momentum"
          + " signature: exported before scripts/export.py added them); a new export, or the"
          + " direct path on a Keras 2 SavedModel, sets it"),
          cycled.notes());
      model.restore(start);
      TrainingResult plain = new EpochTrainer(config("sgd_momentum", 0.1, false)).run(model,
          train, null);
      assertEquals(plain.stepLosses(), cycled.stepLosses());
      assertEquals(List.of(), cycled.stepMomenta());
      model.restore(start);
      TrainingResult sgd = new EpochTrainer(config("sgd", 0.1, true)).run(model, train, null);
      assertEquals(List.of("one-cycle's momentum is not applied: optimizer 'sgd' (SGD) has no"
          + " momentum in its update (SGD and RMSprop have one only with momentum > 0, Adagrad"
          + " none)"), sgd.notes());
    }
  }

  /**
   * Every model of the compatibility matrix ({@link BuiltFixtures#COMPAT}: LSTMs, embeddings with
   * sparse gradients, feature columns, string lookups, several inputs and outputs, Keras 3 and
   * tf_keras), exported by today's exporter, from Java: each optimizer with the momentum
   * signatures trains through {@code train_at_lr_momentum_K} at the config's momentum exactly as
   * through {@code train_at_lr_K} (three steps, bit for bit), then at another momentum, which it
   * reads back.
   */
  @TestFactory
  Stream<DynamicTest> everyCompatExportWithTheSignaturesSetsItsMomentum() throws IOException {
    AtomicInteger settable = new AtomicInteger();
    Optional<Path> built = BuiltFixtures.COMPAT.dir();
    assumeTrue(built.isPresent(), "no venv: the fixtures need Keras");
    JsonNode exports = JSON.readTree(built.get().resolve("exports.json").toFile());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode entry : exports) {
      Path dir = built.get().resolve(entry.get("export").asText());
      Path data = built.get().resolve(entry.get("data").asText());
      tests.add(DynamicTest.dynamicTest(entry.get("name").asText(), () -> {
        try (ExportedModel plain = ExportedModel.load(dir);
            ExportedModel set = ExportedModel.load(dir)) {
          Batches batches = new Batches(plain.conform(DataFile.load(data, plain.layout(),
              "label", MemoryBudget.heap()).train()), 16, true, 1);
          for (OptimizerInfo info : plain.contract().optimizers()) {
            String key = info.key();
            if (!plain.hasSettableMomentum(key)) {
              continue;
            }
            double momentum = ((Number) info.config().get(info.className().startsWith("Adam")
                ? "beta_1" : "momentum")).doubleValue();
            assertEquals((double) (float) momentum, set.momentum(key), key);
            double rate = info.initialLearningRate();
            for (int s = 0; s < 3; s++) {
              assertEquals(plain.trainStep(key, rate, batches.get(s)).loss(),
                  set.trainStep(key, rate, momentum, batches.get(s)).loss(), key + " step " + s);
            }
            double loss = set.trainStep(key, rate, 0.8, batches.get(3)).loss();
            assertTrue(Double.isFinite(loss), key + ": " + loss);
            assertEquals((double) 0.8f, set.momentum(key), key);
            settable.incrementAndGet();
          }
        }
      }));
    }
    tests.add(DynamicTest.dynamicTest("some fixtures had the signatures", () ->
        assertTrue(settable.get() >= 15, settable.get() + " optimizers")));
    return tests.stream();
  }

  private static Map<String, byte[]> raw(ModelSnapshot snapshot) {
    ModelSnapshot.InMemory memory = (ModelSnapshot.InMemory) snapshot;
    Map<String, byte[]> values = new LinkedHashMap<>();
    for (int i = 0; i < memory.variableNames().size(); i++) {
      values.put(memory.variableNames().get(i), bytes(memory.values().get(i)));
    }
    return values;
  }

  private static byte[] bytes(HostArray array) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      array.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
