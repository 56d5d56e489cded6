package dev.lrfinder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a worker of a distributed backend does ({@link LoadedSweep}): any run of a job, in any
 * order, equals that run of a local {@link Sweep} bit for bit; the job survives serialization.
 */
class LoadedSweepTest {
  private static final SweepJob.Inputs INPUTS = new SweepJob.Inputs(
      TestPaths.model("blobs_mlp").toString(), null, false, List.of("sgd"), 0,
      TestPaths.data("blobs_mlp").toString(), "label");

  @Test
  void runsInAnyOrderEqualTheLocalSweepBitForBit() throws Exception {
    TrainSettings base = TrainSettings.defaults(32, 0).withOptimizer("sgd").with("epochs", "2");
    SweepPlan plan;
    SweepResult local;
    try (TrainableModel model = INPUTS.openModel()) {
      plan = SweepPlan.vary(SweepPlan.parseVary("lr=0.1,0.01"), base, "sgd",
          model.contract().optimizers());
      DataFile.Splits splits = DataFile.load(TestPaths.data("blobs_mlp"), model.layout(),
          "label", MemoryBudget.heap());
      Dataset train = model.conform(splits.train());
      Dataset test = model.conform(splits.test().orElseThrow());
      local = new Sweep(plan.parameter(), plan.runs(model, train.rows()), List.of())
          .run(model, train, test, new CancellationToken());
    }
    SweepJob job = roundTrip(new SweepJob(INPUTS, plan));
    assertEquals(new SweepJob(INPUTS, plan), job);
    try (LoadedSweep loaded = LoadedSweep.open(job.inputs())) {
      assertEquals(local.runs().stream().map(SweepRun::label).toList(),
          loaded.runs(job.plan()).stream().map(SweepRun::label).toList());
      // The second run first: each run starts from the state right after loading.
      TrainingResult second = loaded.run(job.plan(), 1, new CancellationToken());
      TrainingResult first = loaded.run(job.plan(), 0, new CancellationToken());
      for (int i = 0; i < 2; i++) {
        TrainingResult expected = local.results().get(i);
        TrainingResult actual = i == 0 ? first : second;
        assertEquals(expected.stepLosses(), actual.stepLosses(), "run " + i);
        assertEquals(expected.stepRates(), actual.stepRates(), "run " + i);
        assertEquals(expected.epochs().size(), actual.epochs().size());
        for (int e = 0; e < expected.epochs().size(); e++) {
          assertEquals(expected.epochs().get(e).logs(), actual.epochs().get(e).logs());
        }
      }
      assertNotEquals(first.stepLosses(), second.stepLosses(), "the runs differ");
    }
  }

  private static SweepJob roundTrip(SweepJob job) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(job);
    }
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      return (SweepJob) in.readObject();
    }
  }
}
