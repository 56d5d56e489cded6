package dev.lrfinder.cli;

import dev.lrfinder.schedule.EpochRule;
import dev.lrfinder.schedule.Schedule;

/**
 * The lab's specs on the command line ({@code --schedule}, {@code --plateau},
 * {@code --early-stopping}), parsed by the schedule package's parsers; their
 * {@link IllegalArgumentException}s are one-line messages for exit 2.
 */
final class LabSpecs {
  private LabSpecs() {}

  static Schedule schedule(String spec, long totalIterations, int stepsPerEpoch,
      double optimizerRate) {
    throw new UsageException("--schedule is not available yet: the schedule parser is not in"
        + " this build");
  }

  static EpochRule plateau(String spec) {
    throw new UsageException("--plateau is not available yet: the rule parser is not in this"
        + " build");
  }

  static EpochRule earlyStopping(String spec) {
    throw new UsageException("--early-stopping is not available yet: the rule parser is not in"
        + " this build");
  }
}
