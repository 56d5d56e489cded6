package dev.lrfinder.rangetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.exported.ExportedModel;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.suggest.AnalysisSettings;
import dev.lrfinder.suggest.Candidates;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.RepeatedRuns;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** find --verify and --repeats on the bundled blobs_mlp model, through TensorFlow. */
class VerifyAndRepeatOnBlobsTest {
  private static ExportedModel model;
  private static Dataset train;
  private static Dataset test;

  @BeforeAll
  static void load() {
    model = ExportedModel.load(TestPaths.model("blobs_mlp"));
    train = model.conform(Dataset.load(TestPaths.data("blobs_mlp"), "train", "label"));
    test = model.conform(Dataset.load(TestPaths.data("blobs_mlp"), "test", "label"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static RangeTestConfig config() {
    return RangeTestConfig.builder().batchSize(32).steps(100)
        .optimizers(List.of("adam", "sgd_momentum")).build();
  }

  @Test
  void verificationRestoresTheModelBitForBitAndRepeatsItself() {
    RangeTestConfig config = config();
    RangeTestResult result = new RangeTest(config).run(model, train, null);
    Map<String, List<RateCandidate>> candidates =
        Candidates.of(RangeTestAnalysis.of(result, AnalysisSettings.defaults()));
    assertFalse(candidates.isEmpty(), "blobs gives suggestions");

    ModelSnapshot.InMemory before = (ModelSnapshot.InMemory) model.snapshot();
    double adamRate = model.learningRate("adam");
    Verification verification = new Verification(20, false, List.of());
    VerificationResult first = verification.run(model, config.batches(train), test, "test",
        candidates, new CancellationToken());
    assertEquals(before.values(), ((ModelSnapshot.InMemory) model.snapshot()).values(),
        "every variable, slots and learning rates included, as before");
    assertEquals(adamRate, model.learningRate("adam"), 0.0);

    // From the same start on the same batches, the same held-out losses, bit for bit.
    VerificationResult second = verification.run(model, config.batches(train), test, "test",
        candidates, new CancellationToken());
    assertEquals(first, second);
    for (OptimizerVerification o : first.optimizers()) {
      assertEquals(candidates.get(o.optimizer()).size(), o.ranked().size());
      assertTrue(o.ranked().get(0).recommended() || o.ranked().get(0).diverged());
      for (int i = 1; i < o.ranked().size(); i++) {
        VerifiedRate previous = o.ranked().get(i - 1);
        VerifiedRate r = o.ranked().get(i);
        assertTrue(previous.diverged() && r.diverged() || !previous.diverged(),
            "diverged runs last");
        if (!r.diverged()) {
          assertTrue(previous.heldOutLoss() <= r.heldOutLoss(), "by held-out loss");
        }
      }
    }
    assertEquals(500, first.heldOutRows());
  }

  /**
   * The direct path too, on a Keras 2 CNN with BatchNormalization (moving statistics that
   * training moves), in memory and with the snapshot on disk.
   */
  @Test
  void verificationOfADirectlyTrainedModelRestoresItBitForBit() {
    java.nio.file.Path fixtures = TestPaths.fixture("keras2");
    try (dev.lrfinder.direct.DirectModel direct = dev.lrfinder.direct.DirectModel.load(
        fixtures.resolve("cnn_bn"), dev.lrfinder.direct.DirectOptions.defaults())) {
      Dataset cnnTrain = direct.conform(Dataset.load(fixtures.resolve("cnn_bn.npz"), "train",
          "label"));
      Dataset cnnTest = direct.conform(Dataset.load(fixtures.resolve("cnn_bn.npz"), "test",
          "label"));
      String optimizer = direct.optimizers().get(0);
      Map<String, List<RateCandidate>> candidates = Map.of(optimizer, List.of(
          new RateCandidate(1e-3, List.of("a")), new RateCandidate(1e-2, List.of("b"))));
      RangeTestConfig config = RangeTestConfig.builder().batchSize(32).build();
      for (boolean onDisk : List.of(false, true)) {
        ModelSnapshot.InMemory before = (ModelSnapshot.InMemory) direct.snapshot();
        VerificationResult result = new Verification(3, onDisk, List.of()).run(direct,
            config.batches(cnnTrain), cnnTest, "test", candidates, new CancellationToken());
        assertEquals(2, result.optimizer(optimizer).orElseThrow().ranked().size());
        assertEquals(before.values(), ((ModelSnapshot.InMemory) direct.snapshot()).values(),
            "on disk: " + onDisk);
      }
    }
  }

  @Test
  void threeRepeatsGiveThreeCurvesInsideTheBandFromTheSameStart() {
    ModelSnapshot.InMemory before = (ModelSnapshot.InMemory) model.snapshot();
    RangeTestConfig config = config().toBuilder().seed(5).build();
    List<RangeTestResult> runs = new RangeTest(config)
        .runRepeated(model, train, null, 3, new CancellationToken());
    assertEquals(3, runs.size());
    assertEquals(List.of(5L, 6L, 7L), runs.stream().map(r -> r.config().seed()).toList());
    assertEquals(before.values(), ((ModelSnapshot.InMemory) model.snapshot()).values());
    // The first repeat is the plain run with the config's seed.
    assertEquals(new RangeTest(config).run(model, train, null).curves().get(0).losses(),
        runs.get(0).curves().get(0).losses());
    assertNotEquals(runs.get(0).curve("adam").losses(), runs.get(1).curve("adam").losses(),
        "another batch order");

    RepeatedRuns repeats = RepeatedRuns.of(runs, AnalysisSettings.defaults());
    assertEquals(3, repeats.repeats());
    for (String optimizer : List.of("adam", "sgd_momentum")) {
      RepeatedRuns.Band band = repeats.band(optimizer);
      assertTrue(band.size() > 20, optimizer + " band of " + band.size());
      assertEquals(10, band.from());
      for (RangeTestResult run : runs) {
        List<Double> smoothed = run.curve(optimizer).smoothedLosses();
        for (int i = 0; i < band.size(); i++) {
          double value = smoothed.get(band.from() + i);
          assertTrue(band.min()[i] <= value && value <= band.max()[i],
              optimizer + " step " + (band.from() + i) + " outside the band");
          assertTrue(band.min()[i] <= band.mean()[i] && band.mean()[i] <= band.max()[i]);
        }
      }
      assertEquals(AnalysisSettings.defaults().rules().stream()
          .mapToInt(r -> r.names().size()).sum(), repeats.spreads(optimizer).size());
      repeats.spreads(optimizer).forEach(s -> assertEquals(3, s.rates().size()));
    }
  }

  @Test
  void candidatesCountEqualRatesOnceAndLeaveOutTheCyclicalBounds() {
    RangeTestResult result = new RangeTest(config()).run(model, train, null);
    RangeTestAnalysis analysis = RangeTestAnalysis.of(result, AnalysisSettings.defaults());
    for (Map.Entry<String, List<RateCandidate>> entry : Candidates.of(analysis).entrySet()) {
      Map<Double, Integer> seen = new LinkedHashMap<>();
      entry.getValue().forEach(c -> seen.merge(c.learningRate(), 1, Integer::sum));
      assertTrue(seen.values().stream().allMatch(n -> n == 1));
      entry.getValue().forEach(c -> assertFalse(c.rules().stream()
          .anyMatch(Candidates.NOT_VERIFIED::contains)));
      long found = analysis.suggestionsFor(entry.getKey()).stream()
          .filter(s -> s.found() && !Candidates.NOT_VERIFIED.contains(s.rule())).count();
      assertEquals(found, entry.getValue().stream().mapToInt(c -> c.rules().size()).sum());
    }
  }
}
