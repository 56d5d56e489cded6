package dev.lrfinder.lab;

import dev.lrfinder.schedule.EarlyStopping;
import dev.lrfinder.schedule.EpochRule;
import dev.lrfinder.schedule.EpochRules;
import dev.lrfinder.schedule.ReduceLROnPlateau;
import dev.lrfinder.schedule.Schedule;
import dev.lrfinder.schedule.Schedules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The options of {@code train --epochs} as given, before they meet a model and its data: what
 * the command line, an experiment file's {@code "train"} object and each run of a sweep hold.
 * {@link #config} turns them into the {@link TrainingConfig} of one run once the optimizer's own
 * rate and the number of rows are known (a schedule's length depends on both).
 *
 * @param optimizer the optimizer key, or {@code null} for the model's first
 * @param epochs epochs to train
 * @param batchSize rows per step
 * @param lr the rate of a constant schedule and a schedule's missing {@code lr}; {@code NaN}:
 *     the optimizer's own
 * @param schedule a schedule spec ({@code NAME[:key=value,...]}, docs/schedules.md), or
 *     {@code null} for a constant rate
 * @param plateau a ReduceLROnPlateau spec, or {@code null}
 * @param earlyStopping an EarlyStopping spec, or {@code null}
 * @param validationSplit the fraction held out for validation, 0 for none
 * @param dropRemainder whether each epoch drops its last incomplete batch
 * @param seed the seed of the batch order (and of a direct model's Dropout)
 * @param shuffle whether each epoch visits the rows in a new seeded order
 */
public record TrainSettings(String optimizer, int epochs, int batchSize, double lr,
    String schedule, String plateau, String earlyStopping, double validationSplit,
    boolean dropRemainder, long seed, boolean shuffle) implements java.io.Serializable {

  /** The keys of {@link #with}: {@code train}'s long option names ({@code shuffle} for
   * {@code --no-shuffle}). */
  public static final List<String> KEYS = List.of("optimizer", "epochs", "batch-size", "lr",
      "schedule", "plateau", "early-stopping", "validation-split", "drop-remainder", "seed",
      "shuffle");

  public TrainSettings {
    if (optimizer != null && optimizer.isBlank()) {
      throw new IllegalArgumentException("optimizer must name an optimizer key, got ''");
    }
    if (epochs <= 0) {
      throw new IllegalArgumentException("epochs must be a positive integer, got " + epochs);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch-size must be a positive integer, got "
          + batchSize);
    }
    if (!Double.isNaN(lr) && !(Double.isFinite(lr) && lr >= 0)) {
      throw new IllegalArgumentException("lr must be a finite number >= 0, got " + lr);
    }
    if (!(validationSplit >= 0 && validationSplit < 1)) {
      throw new IllegalArgumentException("validation-split must be a fraction between 0 and 1,"
          + " got " + validationSplit);
    }
  }

  /**
   * The model's first optimizer, one epoch of {@code batchSize} rows in an order seeded by
   * {@code seed}, shuffled, at the optimizer's own constant rate, no rules, no split.
   */
  public static TrainSettings defaults(int batchSize, long seed) {
    return new TrainSettings(null, 1, batchSize, Double.NaN, null, null, null, 0, false, seed,
        true);
  }

  /**
   * These settings with {@code key} (one of {@link #KEYS}) set from its text, as the command
   * line or an experiment file gives it.
   *
   * @throws IllegalArgumentException naming the key, for an unknown key or a bad value
   */
  public TrainSettings with(String key, String value) {
    String text = value == null ? "" : value.strip();
    return switch (key) {
      case "optimizer" -> withOptimizer(text);
      case "epochs" -> new TrainSettings(optimizer, positive(key, text), batchSize, lr, schedule,
          plateau, earlyStopping, validationSplit, dropRemainder, seed, shuffle);
      case "batch-size" -> withBatchSize(positive(key, text));
      case "lr" -> withLr(number(key, text));
      case "schedule" -> withSchedule(spec(key, text));
      case "plateau" -> withPlateau(spec(key, text));
      case "early-stopping" -> new TrainSettings(optimizer, epochs, batchSize, lr, schedule,
          plateau, spec(key, text), validationSplit, dropRemainder, seed, shuffle);
      case "validation-split" -> new TrainSettings(optimizer, epochs, batchSize, lr, schedule,
          plateau, earlyStopping, number(key, text), dropRemainder, seed, shuffle);
      case "drop-remainder" -> new TrainSettings(optimizer, epochs, batchSize, lr, schedule,
          plateau, earlyStopping, validationSplit, flag(key, text), seed, shuffle);
      case "seed" -> new TrainSettings(optimizer, epochs, batchSize, lr, schedule, plateau,
          earlyStopping, validationSplit, dropRemainder, whole(key, text), shuffle);
      case "shuffle" -> new TrainSettings(optimizer, epochs, batchSize, lr, schedule, plateau,
          earlyStopping, validationSplit, dropRemainder, seed, flag(key, text));
      default -> throw new IllegalArgumentException("unknown key '" + key + "'; accepted: "
          + String.join(", ", KEYS));
    };
  }

  /** These settings for another optimizer key. */
  public TrainSettings withOptimizer(String value) {
    return new TrainSettings(value, epochs, batchSize, lr, schedule, plateau, earlyStopping,
        validationSplit, dropRemainder, seed, shuffle);
  }

  /** These settings with another batch size. */
  public TrainSettings withBatchSize(int value) {
    return new TrainSettings(optimizer, epochs, value, lr, schedule, plateau, earlyStopping,
        validationSplit, dropRemainder, seed, shuffle);
  }

  /** These settings with another rate ({@code NaN}: the optimizer's own). */
  public TrainSettings withLr(double value) {
    return new TrainSettings(optimizer, epochs, batchSize, value, schedule, plateau,
        earlyStopping, validationSplit, dropRemainder, seed, shuffle);
  }

  /** These settings with another schedule spec ({@code null}: constant). */
  public TrainSettings withSchedule(String spec) {
    return new TrainSettings(optimizer, epochs, batchSize, lr, spec, plateau, earlyStopping,
        validationSplit, dropRemainder, seed, shuffle);
  }

  /** These settings with another plateau spec ({@code null}: none). */
  public TrainSettings withPlateau(String spec) {
    return new TrainSettings(optimizer, epochs, batchSize, lr, schedule, spec, earlyStopping,
        validationSplit, dropRemainder, seed, shuffle);
  }

  /** The rows that train out of {@code rows}, after the validation split. */
  public long trainRows(long rows) {
    return validationSplit > 0 ? (long) Math.floor(rows * (1.0 - validationSplit)) : rows;
  }

  /** Training steps per epoch on {@code trainRows} rows. */
  public int stepsPerEpoch(long trainRows) {
    return Math.toIntExact(dropRemainder ? trainRows / batchSize
        : (trainRows + batchSize - 1) / batchSize);
  }

  /**
   * The run these settings describe, for the optimizer {@code optimizerKey} whose own rate is
   * {@code optimizerRate}, on data of {@code rows} training rows (before the split): the schedule
   * fitted to the run's length, the rules read.
   *
   * @throws IllegalArgumentException with one line: a split that leaves no rows, fewer rows than
   *     a batch, a bad spec, a plateau on a schedule that varies
   */
  public TrainingConfig config(String optimizerKey, double optimizerRate, long rows) {
    long trainRows = trainRows(rows);
    if (validationSplit > 0 && (trainRows <= 0 || trainRows >= rows)) {
      throw new IllegalArgumentException("validation-split " + validationSplit + " leaves no rows"
          + " to " + (trainRows <= 0 ? "train on" : "validate on") + " of the " + rows);
    }
    if (trainRows < batchSize) {
      throw new IllegalArgumentException("the training data has " + trainRows + " rows, fewer"
          + " than the batch size " + batchSize);
    }
    int stepsPerEpoch = stepsPerEpoch(trainRows);
    long total = (long) epochs * stepsPerEpoch;
    double rate = Double.isNaN(lr) ? optimizerRate : lr;
    Schedule built = schedule == null ? Schedule.constant(rate)
        : Schedules.parse(schedule, new Schedules.Run(total, stepsPerEpoch, rate));
    List<EpochRule> rules = new ArrayList<>();
    if (plateau != null) {
      if (varies(built, total, stepsPerEpoch)) {
        throw new IllegalArgumentException("plateau sets the rate itself, so it needs a constant"
            + " schedule; '" + schedule + "' varies");
      }
      rules.add(EpochRules.parsePlateau(plateau));
    }
    if (earlyStopping != null) {
      rules.add(EpochRules.parseEarlyStopping(earlyStopping));
    }
    return new TrainingConfig(optimizerKey, epochs, batchSize, dropRemainder, shuffle, seed,
        Optional.of(built), rules, validationSplit);
  }

  /** The quantities the rules of {@code config} monitor ({@code val_loss}...), in order. */
  public static List<String> monitors(TrainingConfig config) {
    List<String> monitors = new ArrayList<>();
    for (EpochRule rule : config.rules()) {
      if (rule instanceof ReduceLROnPlateau p) {
        monitors.add(p.monitor());
      } else if (rule instanceof EarlyStopping e) {
        monitors.add(e.monitor());
      }
    }
    return monitors;
  }

  /** Whether {@code schedule} gives more than one rate over the run's steps. */
  static boolean varies(Schedule schedule, long steps, int stepsPerEpoch) {
    double first = schedule.learningRate(0, 0);
    for (long s = 1; s < steps; s++) {
      if (schedule.learningRate(s, (int) (s / stepsPerEpoch)) != first) {
        return true;
      }
    }
    return false;
  }

  private static int positive(String key, String text) {
    try {
      int value = Integer.parseInt(text);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a positive integer, got '" + text + "'");
  }

  private static long whole(String key, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + text + "'");
    }
  }

  private static double number(String key, String text) {
    try {
      double value = Double.parseDouble(text);
      if (Double.isFinite(value)) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a finite number, got '" + text + "'");
  }

  private static boolean flag(String key, String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, got '" + text
          + "'");
    };
  }

  private static String spec(String key, String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException(key + " must be a spec NAME[:key=value,...], got ''");
    }
    return text;
  }
}
