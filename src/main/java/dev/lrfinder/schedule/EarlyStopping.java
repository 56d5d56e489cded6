package dev.lrfinder.schedule;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Keras 3's {@code keras.callbacks.EarlyStopping} ({@code keras/src/callbacks/early_stopping.py}),
 * decision for decision. From epoch {@code startFromEpoch} on, each epoch with the monitor in its
 * logs adds one to the wait; an improvement ({@code current - minDelta > best} for {@code max},
 * {@code current + minDelta < best} for {@code min}; the first monitored epoch always improves)
 * records the best and resets the wait, unless a {@code baseline} is set and not beaten; training
 * stops once the wait reaches {@code patience} and the epoch is not the first. Keras compares with
 * {@code keras.ops.less}/{@code greater}, which turn both sides into float32: so does this.
 * {@code auto} is {@code min} for {@code loss}/{@code val_loss} and otherwise the direction
 * Keras's metric of that name declares (the table {@link #maximizes} holds); an unknown name needs
 * an explicit mode, as in Keras. With {@code restoreBestWeights} the tracker's {@link
 * Tracker#bestEpoch()} names the epoch whose weights the loop keeps and restores at the end.
 */
public record EarlyStopping(String monitor, double minDelta, int patience, MonitorMode mode,
    OptionalDouble baseline, boolean restoreBestWeights, int startFromEpoch) implements EpochRule {

  /** Metric names Keras 3's metrics declare {@code _direction = "up"} for. */
  static final Set<String> UP = Set.of("accuracy", "auc", "binary_accuracy", "binary_io_u",
      "categorical_accuracy", "concordance_correlation", "cosine_similarity", "f1_score",
      "fbeta_score", "mean_io_u", "one_hot_mean_io_u", "pearson_correlation", "precision",
      "r2_score", "recall", "sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy",
      "top_k_categorical_accuracy");
  /** Metric names Keras 3's metrics declare {@code _direction = "down"} for, and the loss. */
  static final Set<String> DOWN = Set.of("loss", "binary_crossentropy",
      "categorical_crossentropy", "categorical_hinge", "hinge", "kl_divergence", "logcosh",
      "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
      "mean_squared_logarithmic_error", "poisson", "root_mean_squared_error",
      "sparse_categorical_crossentropy", "squared_hinge");

  /** Keras's defaults: val_loss, min_delta 0, patience 0, auto, no baseline, from epoch 0. */
  public static EarlyStopping keras() {
    return new EarlyStopping("val_loss", 0, 0, MonitorMode.AUTO, OptionalDouble.empty(), false, 0);
  }

  public EarlyStopping {
    if (monitor == null || monitor.isBlank()) {
      throw new IllegalArgumentException("monitor must name a logged quantity (val_loss, loss...)");
    }
    minDelta = Math.abs(Checks.finite("min_delta", minDelta));
    Checks.atLeast("patience", patience, 0);
    if (mode == null) {
      throw new IllegalArgumentException("mode must be auto, min or max");
    }
    baseline = baseline == null ? OptionalDouble.empty() : baseline;
    if (baseline.isPresent()) {
      Checks.finite("baseline", baseline.getAsDouble());
    }
    Checks.atLeast("start_from_epoch", startFromEpoch, 0);
    maximizes(monitor, mode);
  }

  /** Whether a larger value is better; fails for {@code auto} on a name Keras cannot place. */
  public boolean maximizes() {
    return maximizes(monitor, mode);
  }

  private static boolean maximizes(String monitor, MonitorMode mode) {
    if (mode != MonitorMode.AUTO) {
      return mode == MonitorMode.MAX;
    }
    String metric = monitor.startsWith("val_") ? monitor.substring(4) : monitor;
    if (UP.contains(metric)) {
      return true;
    }
    if (DOWN.contains(metric)) {
      return false;
    }
    throw new IllegalArgumentException("cannot tell whether " + monitor + " should go up or down;"
        + " give mode=min or mode=max");
  }

  @Override
  public Tracker start() {
    return new StoppingTracker(this);
  }

  @Override
  public String describe() {
    return "EarlyStopping on " + monitor + " (" + (maximizes() ? "max" : "min") + "): patience "
        + patience + ", min_delta " + Checks.num(minDelta)
        + (baseline.isPresent() ? ", baseline " + Checks.num(baseline.getAsDouble()) : "")
        + (startFromEpoch > 0 ? ", from epoch " + startFromEpoch : "")
        + (restoreBestWeights ? ", restores the best epoch's weights" : "");
  }

  /** The callback's state over one run. */
  private static final class StoppingTracker implements Tracker {
    private final EarlyStopping rule;
    private final boolean max;
    private boolean hasBest;
    private double best;
    private int bestEpoch;
    private int wait;

    StoppingTracker(EarlyStopping rule) {
      this.rule = rule;
      this.max = rule.maximizes();
    }

    /** Keras's {@code _is_improvement}: {@code monitor_op(value - min_delta, reference)}. */
    private boolean improves(double value, double reference) {
      // Keras negates min_delta for "less"; ops.less/greater cast both sides to float32.
      double shifted = max ? value - rule.minDelta : value + rule.minDelta;
      return max ? (float) shifted > (float) reference : (float) shifted < (float) reference;
    }

    @Override
    public EpochDecision onEpochEnd(int epoch, Map<String, Double> logs, double learningRate) {
      Double current = logs.get(rule.monitor);
      if (current == null) {
        return new EpochDecision(learningRate, false, "EarlyStopping: " + rule.monitor
            + " is not in this epoch's logs (available: " + String.join(", ", logs.keySet())
            + "); skipped, as Keras does");
      }
      if (epoch < rule.startFromEpoch) {
        return EpochDecision.keep(learningRate);
      }
      wait++;
      if (!hasBest || improves(current, best)) {
        hasBest = true;
        best = current;
        bestEpoch = epoch;
        if (rule.baseline.isEmpty() || improves(current, rule.baseline.getAsDouble())) {
          wait = 0;
        }
        return EpochDecision.keep(learningRate);
      }
      if (wait >= rule.patience && epoch > 0) {
        return new EpochDecision(learningRate, true, "EarlyStopping: " + rule.monitor
            + " did not improve on " + best + " (epoch " + (bestEpoch + 1) + ") for " + wait
            + " epoch" + (wait == 1 ? "" : "s") + "; stopped after epoch " + (epoch + 1)
            + (rule.restoreBestWeights ? "; restoring the weights of epoch " + (bestEpoch + 1)
                : ""));
      }
      return EpochDecision.keep(learningRate);
    }

    @Override
    public OptionalInt bestEpoch() {
      return rule.restoreBestWeights && hasBest ? OptionalInt.of(bestEpoch) : OptionalInt.empty();
    }
  }
}
