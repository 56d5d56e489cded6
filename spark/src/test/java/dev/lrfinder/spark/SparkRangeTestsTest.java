package dev.lrfinder.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import dev.lrfinder.lab.RangeTestGrid;
import dev.lrfinder.suggest.AnalysisSettings;
import dev.lrfinder.suggest.RepeatedRuns;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A range-test grid (the model's optimizers x two seeds) on {@code local[2,2]}, one task per
 * cell, against {@link RangeTest#runRepeated} of the same config computed here: equal curve by
 * curve, bit for bit, also when a task failed once and was retried.
 */
class SparkRangeTestsTest {
  @AfterEach
  void closeModels() {
    SparkSweep.closeCachedModels();
  }

  @Test
  void aGridOnSparkEqualsTheLocalRepeatedRangeTestBitForBit() {
    Path root = SweepFixture.root();
    Path data = root.resolve("savedmodels/blobs_mlp.npz");
    SweepJob.Inputs inputs = new SweepJob.Inputs(root.resolve("savedmodels/blobs_mlp")
        .toString(), null, false, List.of(), 0, data.toString(), "label");
    RangeTestConfig config = RangeTestConfig.builder().steps(40).batchSize(32).build();
    List<RangeTestResult> local;
    try (TrainableModel model = inputs.openModel()) {
      DataFile.Splits splits = DataFile.load(data, model.layout(), "label", MemoryBudget.heap());
      Dataset train = model.conform(splits.train());
      Dataset test = model.conform(splits.test().orElseThrow());
      local = new RangeTest(config).runRepeated(model, train, test, 2, new CancellationToken());
    }
    JavaSparkContext spark = SweepFixture.spark("local[2,2]");
    List<RangeTestResult> grid;
    List<String> arrived = new ArrayList<>();
    try {
      // The second seed's first cell fails its first attempt; Spark retries it.
      RangeTestGrid all = SparkRangeTests.run(spark, inputs, config, 2,
          (done, total, optimizer, seed, curve, error) -> arrived.add(done + "/" + total + " "
              + optimizer + " " + seed + " " + (curve == null ? error : curve.stepsRun())),
          new SparkSweepTest.FailingHook(local.get(0).curves().size(), 1));
      assertEquals(List.of(), all.failed());
      grid = all.results();
    } finally {
      spark.stop();
    }
    int cells = 2 * local.get(0).curves().size();
    assertEquals(cells, arrived.size(), arrived.toString());
    for (int i = 0; i < cells; i++) {
      assertTrue(arrived.get(i).startsWith((i + 1) + "/" + cells + " "), arrived.toString());
    }
    assertEquals(2, grid.size());
    for (int i = 0; i < 2; i++) {
      RangeTestResult a = local.get(i);
      RangeTestResult b = grid.get(i);
      assertEquals(a.config(), b.config());
      assertEquals(a.plannedSteps(), b.plannedSteps());
      assertEquals(a.stepsPerEpoch(), b.stepsPerEpoch());
      assertEquals(a.trainRows(), b.trainRows());
      assertEquals(a.curves().stream().map(OptimizerCurve::optimizer).toList(),
          b.curves().stream().map(OptimizerCurve::optimizer).toList());
      assertTrue(a.curves().size() >= 2, "a grid of several optimizers");
      for (int k = 0; k < a.curves().size(); k++) {
        OptimizerCurve x = a.curves().get(k);
        OptimizerCurve y = b.curves().get(k);
        String where = "seed " + i + " " + x.optimizer();
        assertEquals(x.learningRates(), y.learningRates(), where);
        assertEquals(x.trainLosses(), y.trainLosses(), where);
        assertEquals(x.losses(), y.losses(), where);
        assertEquals(x.smoothedLosses(), y.smoothedLosses(), where);
        assertEquals(x.outputLosses(), y.outputLosses(), where);
        assertEquals(x.stopReason(), y.stopReason(), where);
        assertEquals(x.plannedSteps(), y.plannedSteps(), where);
        assertEquals(Double.doubleToRawLongBits(x.bestSmoothedLoss()),
            Double.doubleToRawLongBits(y.bestSmoothedLoss()), where);
      }
    }
    assertNotEquals(grid.get(0).curves().get(0).trainLosses(),
        grid.get(1).curves().get(0).trainLosses(), "the seeds' batch orders differ");
  }

  @Test
  void aCellFailingEveryAttemptIsListedWithItsErrorAndTheOtherCellsCount() {
    Path root = SweepFixture.root();
    Path data = root.resolve("savedmodels/blobs_mlp.npz");
    SweepJob.Inputs inputs = new SweepJob.Inputs(root.resolve("savedmodels/blobs_mlp")
        .toString(), null, false, List.of(), 0, data.toString(), "label");
    RangeTestConfig config = RangeTestConfig.builder().steps(30).batchSize(32).build();
    List<RangeTestResult> local;
    try (TrainableModel model = inputs.openModel()) {
      DataFile.Splits splits = DataFile.load(data, model.layout(), "label", MemoryBudget.heap());
      Dataset train = model.conform(splits.train());
      Dataset test = model.conform(splits.test().orElseThrow());
      local = new RangeTest(config).runRepeated(model, train, test, 2, new CancellationToken());
    }
    int perSeed = local.get(0).curves().size();
    List<String> optimizers = local.get(0).curves().stream().map(OptimizerCurve::optimizer)
        .toList();
    // The first optimizer fails on every attempt in both seeds; the second in the second seed.
    Set<Integer> failing = Set.of(0, perSeed, perSeed + 1);
    JavaSparkContext spark = SweepFixture.spark("local[2,2]");
    RangeTestGrid grid;
    try {
      grid = SparkRangeTests.run(spark, inputs, config, 2, RangeTestGrid.Listener.NONE,
          new FailingCells(failing));
    } finally {
      spark.stop();
    }
    assertEquals(3, grid.failed().size(), grid.failed().toString());
    RangeTestGrid.FailedCell first = grid.failed().get(0);
    assertEquals(optimizers.get(0), first.optimizer());
    assertEquals(config.seed(), first.seed());
    assertTrue(first.error().startsWith("injected failure of cell 1, attempt 2 (2 attempts,"
        + " last on executor "), first.error());
    assertEquals(List.of(optimizers.get(0), optimizers.get(1)), grid.failed().subList(1, 3)
        .stream().map(RangeTestGrid.FailedCell::optimizer).toList());
    assertEquals(config.seed() + 1, grid.failed().get(2).seed());
    assertEquals(2, grid.results().size());
    for (int i = 0; i < 2; i++) {
      int seed = i;
      List<OptimizerCurve> want = local.get(i).curves().stream().filter(c -> !failing.contains(
          seed * perSeed + optimizers.indexOf(c.optimizer()))).toList();
      List<OptimizerCurve> got = grid.results().get(i).curves();
      assertEquals(want.stream().map(OptimizerCurve::optimizer).toList(),
          got.stream().map(OptimizerCurve::optimizer).toList(), "seed " + i);
      for (int k = 0; k < want.size(); k++) {
        assertEquals(want.get(k).losses(), got.get(k).losses(), "seed " + i);
        assertEquals(want.get(k).learningRates(), got.get(k).learningRates(), "seed " + i);
      }
    }
    // The repeats read the seeds that ran: the first optimizer has none, the second one.
    RepeatedRuns repeats = RepeatedRuns.of(grid.results(), AnalysisSettings.defaults());
    assertTrue(!repeats.optimizers().contains(optimizers.get(0)), repeats.optimizers().toString());
    assertEquals(optimizers.subList(1, perSeed), repeats.optimizers());
    for (RepeatedRuns.RuleSpread spread : repeats.spreads(optimizers.get(1))) {
      assertEquals(2, spread.rates().size(), "a rate per seed");
      assertTrue(Double.isNaN(spread.rates().get(1)), "the failed seed has none");
    }
  }

  /** Fails the given cells on every attempt. */
  record FailingCells(Set<Integer> cells) implements TaskHook {
    @Override
    public void beforeRun(int index, int attempt) {
      if (cells.contains(index)) {
        throw new IllegalStateException("injected failure of cell " + (index + 1)
            + ", attempt " + (attempt + 1));
      }
    }
  }
}
