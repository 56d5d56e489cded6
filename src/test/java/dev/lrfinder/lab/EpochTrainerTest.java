package dev.lrfinder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.schedule.EpochDecision;
import dev.lrfinder.schedule.EpochRule;
import dev.lrfinder.schedule.Schedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The epoch loop on the bundled blobs MLP (exported), with small rules of the test's own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EpochTrainerTest {
  private TrainableModel model;
  private ModelSnapshot start;
  private Dataset train;
  private Dataset test;

  @BeforeAll
  void load() {
    model = ModelLoader.load(TestPaths.model("blobs_mlp"), DirectOptions.defaults());
    var splits = DataFile.load(TestPaths.data("blobs_mlp"), model.layout(), "label",
        MemoryBudget.heap());
    train = model.conform(splits.train());
    test = model.conform(splits.test().orElseThrow());
    start = model.snapshot();
  }

  @AfterAll
  void close() {
    model.close();
  }

  private TrainingResult run(TrainingConfig config, Dataset validation) {
    model.restore(start);
    return new EpochTrainer(config).run(model, train, validation);
  }

  /** A rule that multiplies the rate by {@code factor} after epoch {@code at}, or stops there. */
  private static EpochRule rule(int at, double factor, boolean stop) {
    return new EpochRule() {
      @Override
      public Tracker start() {
        return (epoch, logs, rate) -> epoch == at
            ? new EpochDecision(rate * factor, stop, stop ? "stop at " + at : "times " + factor)
            : EpochDecision.keep(rate);
      }

      @Override
      public String describe() {
        return "test rule";
      }
    };
  }

  private static final Schedule DECAY = new Schedule() {
    @Override
    public double learningRate(long iteration, int epoch) {
      return 0.02 / (1 + 0.05 * iteration);
    }

    @Override
    public String describe() {
      return "test decay";
    }
  };

  @Test
  void curvesAreTheKerasMeansOfTheStepsAndRatesFollowTheSchedule() {
    TrainingConfig config = TrainingConfig.of("sgd", 3).withSchedule(DECAY);
    TrainingResult result = run(config, test);
    long perEpoch = 16; // 15 batches of 32 and one of 20, as Keras's fit cuts 500 rows
    assertEquals(perEpoch, result.stepsPerEpoch());
    assertEquals(15, run(config.withDropRemainder(true), test).stepsPerEpoch());
    model.restore(start);
    result = run(config, test);
    assertEquals(3 * perEpoch, result.steps());
    for (int s = 0; s < result.steps(); s++) {
      assertEquals(DECAY.learningRate(s, (int) (s / perEpoch)), result.stepRates().get(s));
    }
    for (EpochRecord epoch : result.epochs()) {
      KerasMean mean = new KerasMean();
      for (long s = epoch.epoch() * perEpoch; s < (epoch.epoch() + 1) * perEpoch; s++) {
        // Keras weights each batch's loss by its rows: the last one counts 20/500.
        mean.add(result.stepLosses().get((int) s), s % perEpoch == perEpoch - 1 ? 20 : 32);
      }
      assertEquals(mean.result(), epoch.train().get("loss"), "epoch " + epoch.epoch());
      assertEquals(List.of("loss", "accuracy"), List.copyOf(epoch.validation().keySet()));
    }
    assertEquals(Evaluation.of(model, test, 32), result.epochs().get(2).validation(),
        "the last epoch's validation is the trained model's evaluation");
    assertEquals(StopReason.EPOCHS_DONE, result.stopReason());
  }

  @Test
  void runsFromOneSnapshotAreBitIdentical() {
    TrainingConfig config = TrainingConfig.of("adam", 2).withSchedule(DECAY).withOrder(true, 3);
    TrainingResult first = run(config, test);
    TrainingResult second = run(config, test);
    assertEquals(first.stepLosses(), second.stepLosses());
    assertEquals(first.epochs().stream().map(EpochRecord::logs).toList(),
        second.epochs().stream().map(EpochRecord::logs).toList());
    TrainingResult other = run(config.withOrder(true, 4), test);
    assertTrue(!other.stepLosses().equals(first.stepLosses()), "another order, other losses");
  }

  @Test
  void aRuleSetsTheRateOfTheFollowingEpochsOnAConstantSchedule() {
    TrainingConfig config = TrainingConfig.of("sgd", 3).withSchedule(Schedule.constant(0.01))
        .withRules(List.of(rule(0, 0.5, false)));
    TrainingResult result = run(config, null);
    long perEpoch = result.stepsPerEpoch();
    double halved = (float) 0.01 * 0.5; // half the rate the float32 variable holds
    assertEquals(0.01, result.stepRates().get((int) perEpoch - 1));
    assertEquals(halved, result.stepRates().get((int) perEpoch));
    assertEquals(halved, result.stepRates().get((int) (3 * perEpoch - 1)));
    assertEquals("times 0.5", result.epochs().get(0).decision());
    assertTrue(result.epochs().get(0).validation().isEmpty(), "no validation data");

    IllegalArgumentException varying = assertThrows(IllegalArgumentException.class,
        () -> run(config.withSchedule(DECAY), null));
    assertTrue(varying.getMessage().contains("needs a constant schedule"), varying.getMessage());
  }

  @Test
  void stopsEarlyOnCancelAndWhenTheLossIsNotFinite() {
    TrainingResult stopped = run(TrainingConfig.of("sgd", 5)
        .withRules(List.of(rule(1, 1, true))), test);
    assertEquals(StopReason.EARLY_STOPPING, stopped.stopReason());
    assertEquals(2, stopped.epochs().size());
    assertEquals("stop at 1", stopped.stopDetail());

    CancellationToken token = new CancellationToken();
    model.restore(start);
    List<Integer> seen = new ArrayList<>();
    TrainingResult cancelled = new EpochTrainer(TrainingConfig.of("sgd", 5),
        List.of(epoch -> {
          seen.add(epoch.epoch());
          token.cancel();
        })).run(model, train, test, token);
    assertEquals(StopReason.CANCELLED, cancelled.stopReason());
    assertEquals(List.of(0), seen);
    assertEquals(1, cancelled.epochs().size());

    TrainingResult diverged = run(TrainingConfig.of("sgd", 5)
        .withSchedule(Schedule.constant(1e30)), test);
    assertEquals(StopReason.DIVERGED, diverged.stopReason());
    EpochRecord last = diverged.epochs().get(diverged.epochs().size() - 1);
    assertTrue(!last.complete() && last.validation().isEmpty(), last.toString());
  }

  @Test
  void validationSplitHoldsOutTheLastRowsAsKerasDoes() {
    Dataset.Split split = EpochTrainer.split(train, 0.2);
    assertEquals(400, split.train().rows());
    assertEquals(100, split.validation().rows());
    assertEquals(train.x().gatherRows(new int[] {400, 499}),
        split.validation().x().gatherRows(new int[] {0, 99}));
    assertEquals(train.y().gatherRows(new int[] {0, 399}),
        split.train().y().gatherRows(new int[] {0, 399}));
    TrainingResult result = run(TrainingConfig.of("sgd", 1).withValidationSplit(0.2), null);
    assertEquals(400, result.trainRows());
    assertEquals(100, result.validationRows());
    assertThrows(IllegalArgumentException.class,
        () -> run(TrainingConfig.of("sgd", 1).withValidationSplit(0.2), test));
    assertThrows(IllegalArgumentException.class, () -> EpochTrainer.split(train, 0.999));
  }

  @Test
  void restoreBestWeightsLeavesTheBestEpochsModel() {
    TrainingConfig config = TrainingConfig.of("sgd", 8).withSchedule(Schedule.constant(0.05))
        .withRules(List.of(dev.lrfinder.schedule.EpochRules.parseEarlyStopping(
            "early_stopping:monitor=val_loss,patience=100,restore_best_weights=true")));
    TrainingResult result = run(config, test);
    int best = 0;
    for (int e = 1; e < result.epochs().size(); e++) {
      if (result.epochs().get(e).validation().get("loss")
          < result.epochs().get(best).validation().get("loss")) {
        best = e;
      }
    }
    assertTrue(best < 7, "the best epoch is not the last, else the test shows nothing: " + best);
    Map<String, Double> restored = Evaluation.of(model, test, 32);
    assertEquals(result.epochs().get(best).validation(), restored, "epoch " + (best + 1));
    assertTrue(result.notes().get(0).contains("epoch " + (best + 1)), result.notes().toString());
  }
}
