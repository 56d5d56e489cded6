package dev.lrfinder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.schedule.ReduceLROnPlateau;
import dev.lrfinder.schedule.TimeDecay;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runs each PARAM builds from a base, and the one-line refusals; no model needed. */
class SweepPlanTest {
  private static final TrainSettings BASE = TrainSettings.defaults(32, 0).with("epochs", "2")
      .withOptimizer("sgd");
  private static final List<OptimizerInfo> OPTIMIZERS = List.of(
      sgd("sgd", 0.0, false), sgd("sgd_momentum", 0.8999999761581421, false),
      sgd("sgd_nesterov", 0.9, true), sgd("sgd_m99", 0.99, false),
      new OptimizerInfo("rmsprop", "RMSprop", Map.of("momentum", 0.0), 0.001),
      new OptimizerInfo("adam", "Adam", Map.of("beta_1", 0.9), 0.001));

  private static OptimizerInfo sgd(String key, double momentum, boolean nesterov) {
    return new OptimizerInfo(key, "SGD", Map.of("momentum", momentum, "nesterov", nesterov),
        0.01);
  }

  private static SweepPlan vary(TrainSettings base, String text) {
    return SweepPlan.vary(SweepPlan.parseVary(text), base, "sgd", OPTIMIZERS);
  }

  /** The config of run {@code index} on 500 rows with the optimizer's own rate 0.01. */
  private static TrainingConfig config(SweepPlan plan, int index) {
    TrainSettings settings = plan.points().get(index).settings();
    return settings.config(settings.optimizer(), 0.01, 500);
  }

  @Test
  void lrSetsAConstantRateOrTheLrOfTheBaseSchedule() {
    SweepPlan plan = vary(BASE, "lr=1,0.1,1e-7");
    assertEquals("lr", plan.parameter());
    assertEquals(List.of("lr=1", "lr=0.1", "lr=1e-7"),
        plan.points().stream().map(SweepPlan.Point::label).toList());
    assertEquals(1e-7, config(plan, 2).schedule().orElseThrow().learningRate(40, 2));
    SweepPlan stepped = vary(BASE.withSchedule("step:lr=0.5,drop=0.5,every=1"), "lr=0.2");
    assertEquals("step:lr=0.2,drop=0.5,every=1", stepped.points().get(0).settings().schedule());
    assertEquals(0.1, config(stepped, 0).schedule().orElseThrow().learningRate(0, 0), 1e-15,
        "0.2 * 0.5^floor((1 + 0) / 1)");
    assertEquals("one_cycle:max=0.3", vary(BASE.withSchedule("one_cycle"), "lr=0.3").points()
        .get(0).settings().schedule());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> vary(
        BASE.withSchedule("triangular:min=0.001,max=0.1"), "lr=0.1")).getMessage()
        .contains("has no lr"));
  }

  @Test
  void momentumPicksTheOptimizerOfTheBaseClassWithThatMomentum() {
    SweepPlan plan = vary(BASE, "momentum=0,0.9,0.99");
    assertEquals(List.of("sgd", "sgd_momentum", "sgd_m99"), plan.points().stream()
        .map(p -> p.settings().optimizer()).toList(), "float32 0.9 matches; nesterov is not");
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> vary(BASE, "momentum=0,0.5"));
    assertEquals("vary momentum: no SGD optimizer of the model has momentum 0.5 (sgd 0.0,"
        + " sgd_momentum 0.8999999761581421, sgd_m99 0.99); export one with scripts/export.py"
        + " --optimizer sgd:momentum=0.5", missing.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepPlan.vary(
        SweepPlan.parseVary("momentum=0.9"), BASE, "adam", OPTIMIZERS)).getMessage()
        .contains("has no momentum setting"));
  }

  @Test
  void decayIsTimeDecayFromTheBaseRate() {
    SweepPlan plan = vary(BASE, "decay=0.1,1e-4");
    assertEquals("time:decay=0.1", plan.points().get(0).settings().schedule());
    assertEquals(new TimeDecay(0.01, 0.1), config(plan, 0).schedule().orElseThrow());
    assertEquals(new TimeDecay(0.05, 1e-4), config(vary(BASE.withSchedule("constant:lr=0.05"),
        "decay=1e-4"), 0).schedule().orElseThrow());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> vary(
        BASE.withSchedule("step"), "decay=0.1")).getMessage().contains("constant"));
  }

  @Test
  void patienceSetsThePlateauOfTheBase() {
    TrainSettings base = BASE.withPlateau("plateau:monitor=val_loss,factor=0.1,min_delta=1e-7");
    SweepPlan plan = vary(base, "patience=2,15");
    ReduceLROnPlateau rule = (ReduceLROnPlateau) config(plan, 1).rules().get(0);
    assertEquals(15, rule.patience());
    assertEquals(1e-7, rule.minDelta());
    assertEquals(0.1, rule.factor());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> vary(BASE, "patience=2"))
        .getMessage().contains("plateau"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> vary(base, "patience=1.5"))
        .getMessage().contains("whole number"));
  }

  @Test
  void optimizerBatchSizeAndSchedule() {
    SweepPlan optimizers = vary(BASE, "optimizer=sgd,rmsprop,adam");
    assertEquals("adam", config(optimizers, 2).optimizer());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> vary(BASE, "optimizer=nope"))
        .getMessage().contains("no optimizer 'nope'"));
    SweepPlan batches = vary(BASE, "batch-size=16,250");
    assertEquals(250, config(batches, 1).batchSize());
    assertEquals(2, batches.points().get(1).settings().stepsPerEpoch(500));
    SweepPlan schedules = vary(BASE, "schedule=constant:lr=0.1;step:lr=0.1,drop=0.5,every=2");
    assertEquals(2, schedules.points().size(), "';' separates specs, which hold commas");
    assertEquals("step:lr=0.1,drop=0.5,every=2", schedules.points().get(1).value());
  }

  @Test
  void badListsAreOneLineRefusals() {
    for (String[] bad : new String[][] {
        {"lr", "vary: write PARAM=V1,V2"}, {"speed=1", "unknown parameter 'speed'"},
        {"lr=", "no values"}, {"lr=0.1,,0.2", "an empty value"}, {"lr=0.1,0.1", "twice"},
        {"lr=abc", "vary lr: a learning rate must be a finite number, got 'abc'"},
        {"lr=-1", "must be >= 0"}, {"batch-size=0", "batch-size must be a positive integer"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> vary(BASE, bad[0]), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
  }
}
