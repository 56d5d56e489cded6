package dev.lrfinder.schedule;

import java.util.Map;

/**
 * Keras 3's {@code keras.callbacks.ReduceLROnPlateau} ({@code keras/src/callbacks/
 * reduce_lr_on_plateau.py}), decision for decision. An epoch improves when {@code current < best -
 * minDelta} ({@code min}) or {@code current > best + minDelta} ({@code max}; {@code auto} is
 * {@code max} exactly when the monitor's name contains {@code "acc"}). At each epoch's end, in
 * this order: inside a cooldown the counter drops by one and the wait resets; an improvement
 * records the best and resets the wait; otherwise, outside a cooldown, the wait grows, and once it
 * reaches {@code patience}, if the optimizer's rate {@code old} is above {@code minLr} (compared in
 * float32, as Keras compares the variable with {@code np.float32(min_lr)}), the rate becomes
 * {@code max(old * factor, minLr)}, the cooldown starts and the wait resets. At {@code minLr} the
 * wait is not reset, as in Keras. A monitor missing from the logs changes nothing (Keras warns);
 * the decision's reason says so.
 */
public record ReduceLROnPlateau(String monitor, double factor, int patience, double minDelta,
    int cooldown, double minLr, MonitorMode mode) implements EpochRule {

  /** Keras's defaults: val_loss, factor 0.1, patience 10, min_delta 1e-4, cooldown 0, min_lr 0. */
  public static ReduceLROnPlateau keras() {
    return new ReduceLROnPlateau("val_loss", 0.1, 10, 1e-4, 0, 0, MonitorMode.AUTO);
  }

  public ReduceLROnPlateau {
    if (monitor == null || monitor.isBlank()) {
      throw new IllegalArgumentException("monitor must name a logged quantity (val_loss, loss...)");
    }
    // Keras raises for factor >= 1; a factor <= 0 would set the rate to min_lr or below zero.
    Checks.open("factor", factor, 0, 1);
    Checks.atLeast("patience", patience, 0);
    Checks.finite("min_delta", minDelta);
    Checks.atLeast("cooldown", cooldown, 0);
    Checks.rate("min_lr", minLr);
    if (mode == null) {
      throw new IllegalArgumentException("mode must be auto, min or max");
    }
  }

  /** Whether a larger monitored value is better, as Keras's {@code _reset} decides it. */
  public boolean maximizes() {
    return mode == MonitorMode.MAX || (mode == MonitorMode.AUTO && monitor.contains("acc"));
  }

  @Override
  public Tracker start() {
    return new PlateauTracker(this);
  }

  @Override
  public String describe() {
    return "ReduceLROnPlateau on " + monitor + " (" + (maximizes() ? "max" : "min") + "): factor "
        + Checks.num(factor) + ", patience " + patience + ", min_delta " + Checks.num(minDelta)
        + ", cooldown " + cooldown + ", min_lr " + Checks.num(minLr);
  }

  /** The callback's counters over one run; {@code best} starts at the worst value. */
  private static final class PlateauTracker implements Tracker {
    private final ReduceLROnPlateau rule;
    private final boolean max;
    private double best;
    private int wait;
    private int cooldownCounter;

    PlateauTracker(ReduceLROnPlateau rule) {
      this.rule = rule;
      this.max = rule.maximizes();
      this.best = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public EpochDecision onEpochEnd(int epoch, Map<String, Double> logs, double learningRate) {
      Double current = logs.get(rule.monitor);
      if (current == null) {
        return new EpochDecision(learningRate, false, "ReduceLROnPlateau: " + rule.monitor
            + " is not in this epoch's logs (available: " + String.join(", ", logs.keySet())
            + "); skipped, as Keras does");
      }
      if (cooldownCounter > 0) {
        cooldownCounter--;
        wait = 0;
      }
      boolean improved = max ? current > best + rule.minDelta : current < best - rule.minDelta;
      if (improved) {
        best = current;
        wait = 0;
        return EpochDecision.keep(learningRate);
      }
      if (cooldownCounter > 0) {
        return EpochDecision.keep(learningRate);
      }
      wait++;
      if (wait < rule.patience) {
        return EpochDecision.keep(learningRate);
      }
      // Keras reads the rate back from the float32 variable and compares it with
      // np.float32(min_lr); the product is taken in double and stored as float32 by the caller.
      double old = (float) learningRate;
      if (!(old > (float) rule.minLr)) {
        return EpochDecision.keep(learningRate);
      }
      double next = Math.max(old * rule.factor, rule.minLr);
      cooldownCounter = rule.cooldown;
      int waited = wait;
      wait = 0;
      return new EpochDecision(next, false, "ReduceLROnPlateau: " + rule.monitor
          + " did not improve for " + waited + " epoch" + (waited == 1 ? "" : "s")
          + " (best " + best + "); learning rate " + (float) old + " -> " + (float) next);
    }
  }
}
