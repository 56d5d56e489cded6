package dev.lrfinder.lab;

import java.util.Objects;

/**
 * One run of a sweep: what it is called in the report and what it trains.
 *
 * @param label the run's name in charts and tables ({@code lr=0.01}, {@code momentum=0.9})
 * @param config the run's configuration
 */
public record SweepRun(String label, TrainingConfig config) {
  public SweepRun {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(config, "config");
  }
}
