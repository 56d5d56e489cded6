package dev.lrfinder.optim;

/** Keras {@code Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)}. */
public record AdamConfig(double learningRate, double beta1, double beta2, double epsilon,
    boolean amsgrad, double weightDecay) implements OptimizerConfig {

  public AdamConfig {
    Checks.nonNegative("learning_rate", learningRate);
    Checks.nonNegative("beta_1", beta1);
    Checks.nonNegative("beta_2", beta2);
    Checks.nonNegative("epsilon", epsilon);
    Checks.nonNegative("weight_decay", weightDecay);
  }

  public static AdamConfig defaults() {
    return new AdamConfig(0.001, 0.9, 0.999, 1e-7, false, 0.0);
  }

  @Override
  public String kerasClassName() {
    return "Adam";
  }

  @Override
  public AdamConfig withLearningRate(double learningRate) {
    return new AdamConfig(learningRate, beta1, beta2, epsilon, amsgrad, weightDecay);
  }
}
