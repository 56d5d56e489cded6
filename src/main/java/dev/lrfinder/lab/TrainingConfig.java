package dev.lrfinder.lab;

import dev.lrfinder.schedule.EpochRule;
import dev.lrfinder.schedule.Schedule;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One training run of {@link EpochTrainer}: which optimizer, how long, on which batches, at which
 * rates. Immutable; a sweep makes one per value with the {@code with...} methods.
 *
 * @param optimizer the optimizer key of the model that trains
 * @param epochs how many epochs to train (at most: a rule may stop earlier)
 * @param batchSize rows per training step, and per batch of the validation data
 * @param dropRemainder whether each epoch drops its last incomplete batch, as
 *     {@link dev.lrfinder.data.Batches} (and the range test) do; false trains it too, as Keras's
 *     {@code fit} does (500 rows in batches of 32: 16 steps, the last of 20 rows)
 * @param shuffle whether each epoch visits the rows in a new seeded order
 * @param seed the seed of epoch {@code e}'s order ({@code new Random(seed + e)}, see Batches)
 * @param schedule the rate of every step; empty: the optimizer's own rate at the start, constant
 * @param rules decisions at each epoch's end (reduce on plateau, early stopping), in order; a rule
 *     that changes the rate needs a constant schedule
 * @param validationSplit the fraction of the training rows held out for validation, taken from
 *     the end of the data before any shuffle, as Keras's {@code validation_split}; 0 for none (the
 *     run then validates on the data given to it, if any)
 */
public record TrainingConfig(String optimizer, int epochs, int batchSize,
    boolean dropRemainder, boolean shuffle, long seed, Optional<Schedule> schedule,
    List<EpochRule> rules, double validationSplit) {

  /** Rows per batch when none is given (Keras's {@code fit} default). */
  public static final int DEFAULT_BATCH_SIZE = 32;

  public TrainingConfig {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(schedule, "schedule");
    rules = List.copyOf(rules);
    if (epochs <= 0) {
      throw new IllegalArgumentException("the number of epochs must be positive, got " + epochs);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("the batch size must be positive, got " + batchSize);
    }
    if (!(validationSplit >= 0 && validationSplit < 1)) {
      throw new IllegalArgumentException("the validation split must be a fraction in [0, 1),"
          + " got " + validationSplit);
    }
  }

  /**
   * {@code epochs} epochs of {@code optimizer} at its own rate, batches of
   * {@value #DEFAULT_BATCH_SIZE} shuffled with seed 0 (the last incomplete one trained, as in
   * Keras), no rules, no validation split.
   */
  public static TrainingConfig of(String optimizer, int epochs) {
    return new TrainingConfig(optimizer, epochs, DEFAULT_BATCH_SIZE, false, true, 0,
        Optional.empty(), List.of(), 0);
  }

  /** This config with the last incomplete batch of each epoch dropped or trained. */
  public TrainingConfig withDropRemainder(boolean value) {
    return new TrainingConfig(optimizer, epochs, batchSize, value, shuffle, seed, schedule, rules,
        validationSplit);
  }

  /** This config with another schedule. */
  public TrainingConfig withSchedule(Schedule value) {
    return new TrainingConfig(optimizer, epochs, batchSize, dropRemainder, shuffle, seed,
        Optional.of(value),
        rules, validationSplit);
  }

  /** This config with these rules instead of its own. */
  public TrainingConfig withRules(List<EpochRule> value) {
    return new TrainingConfig(optimizer, epochs, batchSize, dropRemainder, shuffle, seed,
        schedule, value,
        validationSplit);
  }

  /** This config with another batch size. */
  public TrainingConfig withBatchSize(int value) {
    return new TrainingConfig(optimizer, epochs, value, dropRemainder, shuffle, seed, schedule,
        rules,
        validationSplit);
  }

  /** This config with another batch order. */
  public TrainingConfig withOrder(boolean shuffleRows, long orderSeed) {
    return new TrainingConfig(optimizer, epochs, batchSize, dropRemainder, shuffleRows, orderSeed,
        schedule,
        rules, validationSplit);
  }

  /** This config with another validation split. */
  public TrainingConfig withValidationSplit(double value) {
    return new TrainingConfig(optimizer, epochs, batchSize, dropRemainder, shuffle, seed,
        schedule, rules, value);
  }

  /** This config for another optimizer key. */
  public TrainingConfig withOptimizer(String value) {
    return new TrainingConfig(value, epochs, batchSize, dropRemainder, shuffle, seed, schedule,
        rules,
        validationSplit);
  }

  /** This config for another number of epochs. */
  public TrainingConfig withEpochs(int value) {
    return new TrainingConfig(optimizer, value, batchSize, dropRemainder, shuffle, seed, schedule,
        rules,
        validationSplit);
  }
}
