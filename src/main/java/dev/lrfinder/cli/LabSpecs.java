package dev.lrfinder.cli;

import dev.lrfinder.schedule.EpochRule;
import dev.lrfinder.schedule.EpochRules;
import dev.lrfinder.schedule.Schedule;
import dev.lrfinder.schedule.Schedules;

/**
 * The lab's specs on the command line ({@code --schedule}, {@code --plateau},
 * {@code --early-stopping}), read by the schedule package's parsers (docs/schedules.md); their
 * one-line {@link IllegalArgumentException}s become exit 2.
 */
final class LabSpecs {
  private LabSpecs() {}

  /** The schedule of {@code spec} for a run of that many updates (a missing lr: the given rate). */
  static Schedule schedule(String spec, long totalIterations, int stepsPerEpoch,
      double optimizerRate) {
    return Schedules.parse(spec, new Schedules.Run(totalIterations, stepsPerEpoch,
        optimizerRate));
  }

  /** ReduceLROnPlateau from {@code plateau[:key=value,...]}. */
  static EpochRule plateau(String spec) {
    return EpochRules.parsePlateau(spec);
  }

  /** EarlyStopping from {@code early_stopping[:key=value,...]}. */
  static EpochRule earlyStopping(String spec) {
    return EpochRules.parseEarlyStopping(spec);
  }
}
