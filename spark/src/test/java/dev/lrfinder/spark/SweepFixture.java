package dev.lrfinder.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.Sweep;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.lab.SweepPlan;
import dev.lrfinder.lab.SweepResult;
import dev.lrfinder.lab.SweepRun;
import dev.lrfinder.lab.TrainSettings;
import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A small sweep of the bundled blobs MLP (three rates, three epochs, SGD) as a job, and its local
 * run, computed in this JVM: the reference the Spark runs are compared with bit for bit.
 */
record SweepFixture(SweepJob job, List<SweepRun> runs, SweepResult local, ModelContract contract,
    String trainingPath, Path modelDir, Path dataFile) {

  static Path root() {
    return Path.of(System.getProperty("lrfinder.projectRoot", "..")).toAbsolutePath()
        .normalize();
  }

  /** The job and its local sweep, as {@code lrfinder sweep} runs it. */
  static SweepFixture blobs() {
    Path model = root().resolve("savedmodels/blobs_mlp");
    Path data = root().resolve("savedmodels/blobs_mlp.npz");
    SweepJob.Inputs inputs = new SweepJob.Inputs(model.toString(), null, false, List.of("sgd"),
        0, data.toString(), "label");
    TrainSettings base = TrainSettings.defaults(32, 0).withOptimizer("sgd").with("epochs", "3");
    try (TrainableModel opened = inputs.openModel()) {
      SweepPlan plan = SweepPlan.vary(SweepPlan.parseVary("lr=0.1,0.01,0.001"), base, "sgd",
          opened.contract().optimizers());
      DataFile.Splits splits = DataFile.load(data, opened.layout(), "label", MemoryBudget.heap());
      Dataset train = opened.conform(splits.train());
      Dataset test = splits.test().map(opened::conform).orElseThrow();
      List<SweepRun> runs = plan.runs(opened, train.rows());
      SweepResult local = new Sweep(plan.parameter(), runs, List.of()).run(opened, train, test,
          new CancellationToken());
      return new SweepFixture(new SweepJob(inputs, plan), runs, local, opened.contract(),
          opened.trainingPath().toString(), model, data);
    }
  }

  /** A Spark context on {@code master}, in this JVM, without a web UI. */
  static JavaSparkContext spark(String master) {
    return new JavaSparkContext(new SparkConf().setMaster(master).setAppName("lrfinder-test")
        .set("spark.ui.enabled", "false").set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.driver.host", "127.0.0.1"));
  }

  /** Asserts that two runs trained identically: every logged and stepped double bit for bit. */
  static void assertSameRun(TrainingResult expected, TrainingResult actual, String label) {
    assertEquals(expected.stopReason(), actual.stopReason(), label);
    assertEquals(expected.stopDetail(), actual.stopDetail(), label);
    assertEquals(expected.schedule(), actual.schedule(), label);
    assertEquals(expected.notes(), actual.notes(), label);
    assertEquals(expected.stepsPerEpoch(), actual.stepsPerEpoch(), label);
    assertEquals(expected.trainRows(), actual.trainRows(), label);
    assertEquals(expected.validationRows(), actual.validationRows(), label);
    // List<Double>.equals compares Double.equals: the same bits (NaN equal to NaN).
    assertEquals(expected.stepRates(), actual.stepRates(), label + ": step rates");
    assertEquals(expected.stepLosses(), actual.stepLosses(), label + ": step losses");
    assertEquals(expected.stepMomenta(), actual.stepMomenta(), label + ": step momenta");
    assertEquals(expected.epochs().size(), actual.epochs().size(), label);
    for (int e = 0; e < expected.epochs().size(); e++) {
      EpochRecord a = expected.epochs().get(e);
      EpochRecord b = actual.epochs().get(e);
      String where = label + " epoch " + (e + 1);
      assertEquals(a.epoch(), b.epoch(), where);
      assertEquals(a.steps(), b.steps(), where);
      assertEquals(a.train(), b.train(), where + ": train logs");
      assertEquals(List.copyOf(a.train().keySet()), List.copyOf(b.train().keySet()), where);
      assertEquals(a.validation(), b.validation(), where + ": validation logs");
      assertEquals(Double.doubleToRawLongBits(a.learningRate()),
          Double.doubleToRawLongBits(b.learningRate()), where + ": rate");
      assertEquals(a.decision(), b.decision(), where);
      assertEquals(a.complete(), b.complete(), where);
    }
  }
}
