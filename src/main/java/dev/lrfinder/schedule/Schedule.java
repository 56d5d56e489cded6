package dev.lrfinder.schedule;

import java.util.OptionalDouble;

/**
 * The learning rate of every update of a training run as a function of where the update falls
 * (DJL's {@code Tracker} idiom: a value as a function of the update number). A schedule holds no
 * state: the same position always gives the same rate, so a run can be repeated or resumed and a
 * report can draw the schedule without training.
 */
public interface Schedule {

  /**
   * The rate of the update numbered {@code iteration} (0-based over the whole run), which falls in
   * 0-based {@code epoch}.
   */
  double learningRate(long iteration, int epoch);

  /**
   * The momentum (SGD's {@code momentum}, Adam's {@code beta_1}) of that update, for schedules that
   * cycle it against the rate (one-cycle); empty when the schedule leaves the optimizer's own.
   */
  default OptionalDouble momentum(long iteration, int epoch) {
    return OptionalDouble.empty();
  }

  /** One line naming the schedule and its settings, for reports (e.g. {@code constant 0.01}). */
  String describe();

  /** The same rate for every update. */
  static Schedule constant(double learningRate) {
    if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("a learning rate must be a finite number >= 0, got "
          + learningRate);
    }
    return new Schedule() {
      @Override
      public double learningRate(long iteration, int epoch) {
        return learningRate;
      }

      @Override
      public String describe() {
        return "constant " + learningRate;
      }
    };
  }
}
