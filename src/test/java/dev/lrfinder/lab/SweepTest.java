package dev.lrfinder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.schedule.Schedule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The sweep engine on the bundled blobs MLP: same start, same batches, the model as found. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepTest {
  private TrainableModel model;
  private Dataset train;
  private Dataset test;

  @BeforeAll
  void load() {
    model = ModelLoader.load(TestPaths.model("blobs_mlp"), DirectOptions.defaults());
    var splits = DataFile.load(TestPaths.data("blobs_mlp"), model.layout(), "label",
        MemoryBudget.heap());
    train = model.conform(splits.train());
    test = model.conform(splits.test().orElseThrow());
  }

  @AfterAll
  void close() {
    model.close();
  }

  private static TrainingConfig config(String optimizer, double rate) {
    return TrainingConfig.of(optimizer, 2).withSchedule(Schedule.constant(rate));
  }

  /** The model's state as its outputs tell it: the test loss and every optimizer's rate. */
  private List<Double> state() {
    List<Double> values = new ArrayList<>();
    for (var batch : Batches.sequential(test, 100)) {
      values.add(model.evaluate(batch).loss());
    }
    model.optimizers().forEach(o -> values.add(model.learningRate(o)));
    return values;
  }

  @Test
  void eachRunEqualsAStandaloneRunFromTheSameStartAndTheModelIsLeftAsFound() {
    List<Double> before = state();
    var start = model.snapshot();
    List<SweepRun> runs = List.of(new SweepRun("lr=0.05", config("sgd", 0.05)),
        new SweepRun("momentum", config("sgd_momentum", 0.01)),
        new SweepRun("split", config("adam", 0.001).withValidationSplit(0.2)));
    List<String> events = new ArrayList<>();
    SweepListener listener = new SweepListener() {
      @Override
      public void onRunStart(int index, int count, SweepRun run) {
        events.add("start " + index + "/" + count);
      }

      @Override
      public void onEpochEnd(int index, SweepRun run, EpochRecord epoch) {
        events.add("epoch " + index + "." + epoch.epoch());
      }

      @Override
      public void onRunEnd(int index, SweepRun run, TrainingResult result) {
        events.add("end " + index);
      }
    };
    SweepResult result = new Sweep("runs", runs, List.of(listener)).run(model, train, test,
        new CancellationToken());
    assertTrue(result.complete());
    assertEquals(3, result.results().size());
    assertEquals(List.of("start 0/3", "epoch 0.0", "epoch 0.1", "end 0", "start 1/3",
        "epoch 1.0", "epoch 1.1", "end 1", "start 2/3", "epoch 2.0", "epoch 2.1", "end 2"),
        events);
    assertEquals(before, state(), "the sweep puts the start state back");

    for (int i = 0; i < runs.size(); i++) {
      model.restore(start);
      TrainingConfig config = runs.get(i).config();
      TrainingResult alone = new EpochTrainer(config).run(model, train,
          config.validationSplit() > 0 ? null : test);
      TrainingResult swept = result.results().get(i);
      assertEquals(alone.stepLosses(), swept.stepLosses(), "run " + i + ", bit for bit");
      assertEquals(alone.stepRates(), swept.stepRates());
      for (int e = 0; e < alone.epochs().size(); e++) {
        assertEquals(alone.epochs().get(e).logs(), swept.epochs().get(e).logs(),
            "run " + i + " epoch " + e);
      }
    }
    model.restore(start);
    // The runs differ: the first steps of each start from one state but train differently.
    assertEquals(result.results().get(0).stepLosses().get(0),
        result.results().get(1).stepLosses().get(0), "the same first batch from the same start");
    assertNotEquals(result.results().get(0).stepLosses().get(5),
        result.results().get(1).stepLosses().get(5));
  }

  @Test
  void aCancelledSweepStopsBeforeTheNextRunAndRestores() {
    List<Double> before = state();
    CancellationToken token = new CancellationToken();
    SweepListener cancelAfterFirst = new SweepListener() {
      @Override
      public void onRunEnd(int index, SweepRun run, TrainingResult result) {
        token.cancel();
      }
    };
    SweepResult result = new Sweep("lr", List.of(new SweepRun("a", config("sgd", 0.05)),
        new SweepRun("b", config("sgd", 0.01))), List.of(cancelAfterFirst)).run(model, train,
        test, token);
    assertEquals(1, result.results().size());
    assertFalse(result.complete());
    assertEquals(before, state());
  }
}
