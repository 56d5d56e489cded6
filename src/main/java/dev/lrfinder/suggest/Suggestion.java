package dev.lrfinder.suggest;

import java.util.OptionalDouble;

/**
 * A learning rate proposed by one rule, or none with the reason why.
 *
 * @param rule the rule's name, e.g. {@code steep}
 * @param learningRate the suggestion; {@code NaN} when there is none
 * @param note how it was found, or why there is none
 */
public record Suggestion(String rule, double learningRate, String note) {

  public static Suggestion of(String rule, double learningRate, String note) {
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(rule + ": a suggestion must be a positive rate");
    }
    return new Suggestion(rule, learningRate, note);
  }

  public static Suggestion none(String rule, String reason) {
    return new Suggestion(rule, Double.NaN, reason);
  }

  public boolean found() {
    return !Double.isNaN(learningRate);
  }

  public OptionalDouble value() {
    return found() ? OptionalDouble.of(learningRate) : OptionalDouble.empty();
  }
}
