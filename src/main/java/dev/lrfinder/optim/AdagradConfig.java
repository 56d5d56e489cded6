package dev.lrfinder.optim;

/**
 * Keras {@code Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)}.
 *
 * @param legacy tf_keras's legacy (optimizer_v2) Adagrad, as configs with a {@code decay} key
 *     come from: it adds epsilon outside the square root, {@code lr * g / (sqrt(acc) + epsilon)}
 */
public record AdagradConfig(double learningRate, double initialAccumulatorValue, double epsilon,
    double weightDecay, boolean legacy) implements OptimizerConfig {

  public AdagradConfig {
    Checks.nonNegative("learning_rate", learningRate);
    Checks.nonNegative("initial_accumulator_value", initialAccumulatorValue);
    Checks.nonNegative("epsilon", epsilon);
    Checks.nonNegative("weight_decay", weightDecay);
  }

  /** The current (not legacy) Adagrad. */
  public AdagradConfig(double learningRate, double initialAccumulatorValue, double epsilon,
      double weightDecay) {
    this(learningRate, initialAccumulatorValue, epsilon, weightDecay, false);
  }

  public static AdagradConfig defaults() {
    return new AdagradConfig(0.001, 0.1, 1e-7, 0.0);
  }

  @Override
  public String kerasClassName() {
    return "Adagrad";
  }

  @Override
  public AdagradConfig withLearningRate(double learningRate) {
    return new AdagradConfig(learningRate, initialAccumulatorValue, epsilon, weightDecay, legacy);
  }
}
