package dev.lrfinder.cli;

import dev.lrfinder.lab.TrainSettings;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.schedule.Schedules;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * What the lab's commands ({@code train --epochs}, {@code sweep}, {@code experiment}) share: the
 * training options ({@code --schedule}, {@code --plateau}... read into a {@link TrainSettings},
 * whose specs the schedule package parses, docs/schedules.md), opening the model with the
 * optimizer asked for, and where the validation data comes from. The specs' one-line
 * {@link IllegalArgumentException}s become exit 2.
 */
final class LabSpecs {
  private LabSpecs() {}

  /**
   * Adds the epoch-training options; {@code condition} prefixes the descriptions of those that
   * only apply to epochs ({@code "with --epochs: "} for {@code train}, "" for {@code sweep}).
   */
  static Options addTrainOptions(Options options, String condition) {
    return options
        .addOption(valued("optimizer", "KEY", "optimizer key (default: the model's first)"))
        .addOption(valued("lr", "RATE", "learning rate (default: the optimizer's own)"))
        .addOption(valued("schedule", "SPEC", condition + "the rate of every step, "
            + Schedules.SYNTAX + " (docs/schedules.md; a missing lr is --lr or the optimizer's"
            + " own; default: constant)"))
        .addOption(valued("plateau", "SPEC", condition + "reduce the rate on a plateau, e.g."
            + " plateau:monitor=val_loss,factor=0.1,patience=10,min_delta=1e-4,cooldown=0,"
            + "min_lr=0,mode=auto (Keras's defaults; needs a constant schedule)"))
        .addOption(valued("early-stopping", "SPEC", condition + "stop early, e.g."
            + " early_stopping:monitor=val_loss,patience=0,min_delta=0,mode=auto,"
            + "restore_best_weights=false (Keras's defaults)"))
        .addOption(valued("validation-split", "F", condition + "hold out the last fraction F"
            + " of the training rows for validation, as Keras's validation_split (default:"
            + " validate on x_test/y_test when the data has them)"))
        .addOption(Option.builder().longOpt("drop-remainder").desc(condition + "drop each"
            + " epoch's last incomplete batch, as find does (default: train it, as Keras's fit"
            + " does)").build())
        .addOption(valued("batch-size", "N", "rows per batch (default: "
            + RangeTestConfig.DEFAULT_BATCH_SIZE + ")"))
        .addOption(valued("seed", "N", "seed of the batch shuffle and of Dropout masks (default: "
            + RangeTestConfig.DEFAULT_SEED + ")"))
        .addOption(Option.builder().longOpt("no-shuffle")
            .desc("batches in file order: step i takes rows [i*B, (i+1)*B)").build());
  }

  static Option valued(String name, String arg, String description) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(description).build();
  }

  /** The training options of {@code line} ({@code --epochs} defaulting to {@code epochs}). */
  static TrainSettings settings(CommandLine line, int epochs) {
    return new TrainSettings(line.getOptionValue("optimizer"),
        Args.positiveInt(line, "epochs", epochs),
        Args.positiveInt(line, "batch-size", RangeTestConfig.DEFAULT_BATCH_SIZE),
        Args.rate(line, "lr"), line.getOptionValue("schedule"), line.getOptionValue("plateau"),
        line.getOptionValue("early-stopping"), fraction(line), line.hasOption("drop-remainder"),
        Args.longValue(line, "seed", RangeTestConfig.DEFAULT_SEED), !line.hasOption("no-shuffle"));
  }

  /** {@code requested}, or the model's first optimizer when null; one the model has. */
  static String optimizer(String requested, TrainableModel model) {
    String optimizer = requested == null ? model.optimizers().get(0) : requested;
    if (!model.optimizers().contains(optimizer)) {
      throw new UsageException(model.contract().noSuchOptimizer(optimizer));
    }
    return optimizer;
  }

  /**
   * Where {@code config}'s validation data comes from, in words ("" without any), checked against
   * the rules: a rule that monitors a {@code val_} quantity needs validation data.
   */
  static String validationSource(TrainingConfig config, TrainingData data) {
    double split = config.validationSplit();
    String source = split > 0
        ? "the last " + Args.number(100 * split) + "% of the training rows (validation_split)"
        : data.test() != null ? "the test split (x_test/y_test)" : "";
    for (String monitor : TrainSettings.monitors(config)) {
      if (monitor.startsWith("val_") && source.isEmpty()) {
        throw new UsageException("a rule monitors " + monitor + ", but there is no validation"
            + " data: give --validation-split or data with x_test/y_test");
      }
    }
    return source;
  }

  private static double fraction(CommandLine line) {
    String text = line.getOptionValue("validation-split");
    if (text == null) {
      return 0;
    }
    try {
      double value = Double.parseDouble(text.trim());
      if (!(value > 0 && value < 1)) {
        throw new UsageException("--validation-split must be a fraction between 0 and 1, got "
            + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException("--validation-split must be a number, got '" + text + "'");
    }
  }
}
