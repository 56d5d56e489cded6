package dev.lrfinder.optim;

/** Keras {@code Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)}. */
public record AdagradConfig(double learningRate, double initialAccumulatorValue, double epsilon,
    double weightDecay) implements OptimizerConfig {

  public AdagradConfig {
    Checks.nonNegative("learning_rate", learningRate);
    Checks.nonNegative("initial_accumulator_value", initialAccumulatorValue);
    Checks.nonNegative("epsilon", epsilon);
    Checks.nonNegative("weight_decay", weightDecay);
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
    return new AdagradConfig(learningRate, initialAccumulatorValue, epsilon, weightDecay);
  }
}
