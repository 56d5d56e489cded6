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
import java.util.List;
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
    try {
      // The second seed's first cell fails its first attempt; Spark retries it.
      grid = SparkRangeTests.run(spark, inputs, config, 2,
          new SparkSweepTest.FailingHook(local.get(0).curves().size(), 1));
    } finally {
      spark.stop();
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
}
