package dev.lrfinder.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * ReduceLROnPlateau and EarlyStopping on hand-made sequences whose Keras outcome is worked out
 * in the comments (KerasCallbacksLiveTest checks the same against Keras itself), and their parsers.
 */
class EpochRulesTest {

  /** The rate after each epoch, the optimizer's variable holding float32 as Keras's does. */
  private static List<Double> rates(EpochRule rule, double lr, String key, double... values) {
    EpochRule.Tracker tracker = rule.start();
    List<Double> out = new ArrayList<>();
    double rate = (float) lr;
    for (int epoch = 0; epoch < values.length; epoch++) {
      EpochDecision d = tracker.onEpochEnd(epoch, Map.of(key, values[epoch]), rate);
      rate = (float) d.learningRate();
      out.add(rate);
      if (d.stop()) {
        break;
      }
    }
    return out;
  }

  private static int stoppedAt(EpochRule rule, String key, double... values) {
    EpochRule.Tracker tracker = rule.start();
    for (int epoch = 0; epoch < values.length; epoch++) {
      if (tracker.onEpochEnd(epoch, Map.of(key, values[epoch]), 0.1).stop()) {
        return epoch;
      }
    }
    return -1;
  }

  @Test
  void plateauReducesAfterPatienceEpochsWithoutImprovement() {
    ReduceLROnPlateau rule = new ReduceLROnPlateau("val_loss", 0.5, 2, 0, 0, 0, MonitorMode.AUTO);
    // best 1.0 at 0; epochs 1, 2 do not improve -> wait 2 = patience: halve at epoch 2;
    // 0.9 at 3 improves; 4, 5 flat -> halve at 5.
    List<Double> r = rates(rule, 0.1, "val_loss", 1.0, 1.0, 1.2, 0.9, 0.9, 0.95);
    float a = 0.1f;
    float b = (float) ((double) a * 0.5);
    float c = (float) ((double) b * 0.5);
    assertEquals(List.of((double) a, (double) a, (double) b, (double) b, (double) b, (double) c),
        r);
  }

  @Test
  void minDeltaDecidesWhatCountsAsBetter() {
    ReduceLROnPlateau rule = new ReduceLROnPlateau("loss", 0.1, 1, 0.1, 0, 0, MonitorMode.MIN);
    // 0.95 is not below 1.0 - 0.1: reduce at epoch 1; 0.85 is below 1.0 - 0.1: no reduction.
    List<Double> r = rates(rule, 1.0, "loss", 1.0, 0.95, 0.85);
    assertEquals(List.of(1.0, (double) 0.1f, (double) 0.1f), r);
  }

  @Test
  void cooldownPausesTheWait() {
    ReduceLROnPlateau rule = new ReduceLROnPlateau("val_loss", 0.1, 1, 0, 2, 0, MonitorMode.MIN);
    // reduce at 1 (counter 2); epoch 2: counter -> 1, still in cooldown, no count; epoch 3:
    // counter -> 0 first, so the epoch counts: wait 1 = patience, reduce at 3. Keras's counter
    // drops before the check: cooldown N pauses N - 1 epochs (the live test confirms it).
    List<Double> r = rates(rule, 1.0, "val_loss", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
    double one = 1.0;
    double tenth = (float) 0.1;
    double hundredth = (float) (tenth * 0.1);
    double thousandth = (float) (hundredth * 0.1); // and again at 5
    assertEquals(List.of(one, tenth, tenth, hundredth, hundredth, thousandth), r);
  }

  @Test
  void cooldownOneIsNoCooldown() {
    // The counter drops before the check (docs/schedules.md): cooldown 1 pauses no epoch.
    java.util.Random random = new java.util.Random(11);
    double[] values = new double[60];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(5) / 4.0;
    }
    List<Double> none = rates(new ReduceLROnPlateau("loss", 0.5, 1, 0, 0, 0, MonitorMode.MIN),
        1.0, "loss", values);
    List<Double> one = rates(new ReduceLROnPlateau("loss", 0.5, 1, 0, 1, 0, MonitorMode.MIN),
        1.0, "loss", values);
    List<Double> two = rates(new ReduceLROnPlateau("loss", 0.5, 1, 0, 2, 0, MonitorMode.MIN),
        1.0, "loss", values);
    assertEquals(none, one);
    assertFalse(none.equals(two), "cooldown 2 does pause");
  }

  @Test
  void minLrIsAFloorAndStopsTheReductions() {
    ReduceLROnPlateau rule = new ReduceLROnPlateau("val_loss", 0.1, 1, 0, 0, 1e-3, MonitorMode.MIN);
    List<Double> r = rates(rule, 0.1, "val_loss", 1, 1, 1, 1, 1);
    double first = (float) 0.1;
    double second = (float) (first * 0.1);
    double floor = (float) 1e-3;
    assertEquals(List.of(first, second, floor, floor, floor), r);
  }

  @Test
  void autoModeMaximizesAccuracy() {
    ReduceLROnPlateau rule = new ReduceLROnPlateau("val_accuracy", 0.1, 1, 0, 0, 0,
        MonitorMode.AUTO);
    assertTrue(rule.maximizes());
    assertFalse(new ReduceLROnPlateau("val_loss", 0.1, 1, 0, 0, 0, MonitorMode.AUTO).maximizes());
    List<Double> r = rates(rule, 1.0, "val_accuracy", 0.5, 0.6, 0.55);
    assertEquals(List.of(1.0, 1.0, (double) 0.1f), r);
  }

  @Test
  void aMissingMonitorChangesNothingAndSaysSo() {
    EpochRule.Tracker t = ReduceLROnPlateau.keras().start();
    EpochDecision d = t.onEpochEnd(0, Map.of("loss", 0.5), 0.01);
    assertEquals(0.01, d.learningRate());
    assertFalse(d.stop());
    assertTrue(d.reason().contains("val_loss is not in this epoch's logs (available: loss)"),
        d.reason());
    EpochDecision e = EarlyStopping.keras().start().onEpochEnd(3, Map.of("loss", 0.5), 0.01);
    assertFalse(e.stop());
    assertTrue(e.reason().contains("val_loss is not in this epoch's logs"), e.reason());
  }

  @Test
  void earlyStoppingCountsPatienceFromTheBest() {
    EarlyStopping rule = new EarlyStopping("val_loss", 0, 2, MonitorMode.AUTO,
        OptionalDouble.empty(), false, 0);
    // best at 1 (0.8); 2 and 3 do not improve: wait 2 = patience -> stop at 3.
    assertEquals(3, stoppedAt(rule, "val_loss", 1.0, 0.8, 0.8, 0.9, 0.7));
    // patience 0 stops at the first epoch that does not improve, but never at epoch 0.
    EarlyStopping zero = EarlyStopping.keras();
    assertEquals(2, stoppedAt(zero, "val_loss", 1.0, 0.9, 0.95));
  }

  @Test
  void earlyStoppingBaselineAndWarmup() {
    EarlyStopping baseline = new EarlyStopping("val_loss", 0, 2, MonitorMode.MIN,
        OptionalDouble.of(0.5), false, 0);
    // an improvement returns before the patience check, but one that does not beat 0.5 leaves
    // the wait running: wait 3 at epoch 2, which does not improve -> stop at 2.
    assertEquals(2, stoppedAt(baseline, "val_loss", 1.0, 0.9, 0.9, 0.7));
    EarlyStopping none = new EarlyStopping("val_loss", 0, 2, MonitorMode.MIN,
        OptionalDouble.empty(), false, 0);
    assertEquals(-1, stoppedAt(none, "val_loss", 1.0, 0.9, 0.9, 0.7));
    EarlyStopping late = new EarlyStopping("val_loss", 0, 1, MonitorMode.MIN,
        OptionalDouble.empty(), false, 3);
    // epochs 0-2 are not monitored; best 5.0 at 3, 4 does not improve: stop at 4.
    assertEquals(4, stoppedAt(late, "val_loss", 1.0, 2.0, 3.0, 5.0, 6.0));
  }

  @Test
  void earlyStoppingComparesInFloat32AsKerasOpsDo() {
    EarlyStopping rule = new EarlyStopping("loss", 0, 1, MonitorMode.MIN, OptionalDouble.empty(),
        false, 0);
    // 0.49999999 rounds to 0.5f: no improvement in Keras (ops.less casts to float32).
    assertEquals(1, stoppedAt(rule, "loss", 0.5, 0.49999999));
    assertEquals(-1, stoppedAt(rule, "loss", 0.5, 0.4999999));
  }

  @Test
  void restoreBestWeightsNamesTheBestEpoch() {
    EarlyStopping rule = new EarlyStopping("val_accuracy", 0.01, 2, MonitorMode.AUTO,
        OptionalDouble.empty(), true, 0);
    EpochRule.Tracker t = rule.start();
    assertEquals(OptionalInt.empty(), t.bestEpoch());
    double[] acc = {0.5, 0.7, 0.705, 0.69};
    EpochDecision last = null;
    for (int epoch = 0; epoch < acc.length; epoch++) {
      last = t.onEpochEnd(epoch, Map.of("val_accuracy", acc[epoch]), 0.01);
    }
    assertTrue(last.stop());
    assertEquals(OptionalInt.of(1), t.bestEpoch());
    assertTrue(last.reason().contains("restoring the weights of epoch 2"), last.reason());
    EpochRule.Tracker plain = EarlyStopping.keras().start();
    plain.onEpochEnd(0, Map.of("val_loss", 1.0), 0.01);
    assertEquals(OptionalInt.empty(), plain.bestEpoch());
  }

  @Test
  void autoModeNeedsANameKerasCanPlace() {
    assertTrue(EpochRules.parseEarlyStopping("monitor=val_auc").maximizes());
    assertFalse(EpochRules.parseEarlyStopping("monitor=mean_squared_error").maximizes());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EpochRules.parseEarlyStopping("early_stopping:monitor=val_custom"));
    assertEquals("early_stopping: cannot tell whether val_custom should go up or down; give "
        + "mode=min or mode=max", e.getMessage());
    assertTrue(EpochRules.parseEarlyStopping("monitor=val_custom,mode=max").maximizes());
  }

  @Test
  void parsersTakeKerasDefaultsAndEveryKey() {
    assertEquals(ReduceLROnPlateau.keras(), EpochRules.parsePlateau("plateau"));
    assertEquals(new ReduceLROnPlateau("val_loss", 0.1, 10, 1e-4, 0, 0, MonitorMode.AUTO),
        EpochRules.parsePlateau(
            "plateau:monitor=val_loss,factor=0.1,patience=10,min_delta=1e-4,cooldown=0,min_lr=0,"
                + "mode=auto"));
    assertEquals(new ReduceLROnPlateau("val_loss", 0.1, 5, 1e-7, 0, 0, MonitorMode.AUTO),
        EpochRules.parsePlateau("patience=5,min_delta=1e-7"));
    assertEquals(EarlyStopping.keras(), EpochRules.parseEarlyStopping("early_stopping"));
    assertEquals(new EarlyStopping("val_accuracy", 0.01, 3, MonitorMode.MAX,
        OptionalDouble.of(0.6), true, 2), EpochRules.parseEarlyStopping(
            "early_stopping:monitor=val_accuracy,min_delta=-0.01,patience=3,mode=max,"
                + "baseline=0.6,restore_best_weights=true,start_from_epoch=2"));
  }

  private static String error(java.util.function.Supplier<?> parse) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse::get);
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void parserErrorsAreOneLine() {
    assertEquals("plateau: unknown key 'lr'; accepted: monitor, factor, patience, min_delta, "
        + "cooldown, min_lr, mode", error(() -> EpochRules.parsePlateau("plateau:lr=0.1")));
    assertTrue(error(() -> EpochRules.parsePlateau("plateau:factor=1"))
        .startsWith("plateau: factor must lie strictly between 0"));
    assertTrue(error(() -> EpochRules.parsePlateau("plateau:patience=-1"))
        .contains("patience must be >= 0"));
    assertTrue(error(() -> EpochRules.parsePlateau("plateau:min_lr=-1"))
        .contains("min_lr must be a learning rate"));
    assertTrue(error(() -> EpochRules.parsePlateau("plateau:mode=up"))
        .contains("mode must be one of auto, min, max"));
    assertTrue(error(() -> EpochRules.parsePlateau("reduce:patience=2"))
        .contains("unknown rule 'reduce'"));
    assertTrue(error(() -> EpochRules.parseEarlyStopping("early_stopping:baseline=x"))
        .contains("baseline must be a number, got 'x'"));
    assertTrue(error(() -> EpochRules.parseEarlyStopping("early_stopping:restore_best_weights=2"))
        .contains("true or false"));
    assertTrue(error(() -> EpochRules.parseEarlyStopping("early_stopping:cooldown=2"))
        .contains("unknown key 'cooldown'"));
  }

  @Test
  void describeIsOneLine() {
    assertEquals("ReduceLROnPlateau on val_loss (min): factor 0.1, patience 10, min_delta 1e-4, "
        + "cooldown 0, min_lr 0", ReduceLROnPlateau.keras().describe());
    assertEquals("EarlyStopping on val_loss (min): patience 0, min_delta 0",
        EarlyStopping.keras().describe());
  }
}
