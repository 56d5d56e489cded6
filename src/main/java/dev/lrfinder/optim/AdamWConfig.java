package dev.lrfinder.optim;

/**
 * Keras {@code AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
 * epsilon=1e-7, amsgrad=False)}: Adam's update after the decoupled decay
 * {@code var -= var * wd * lr}.
 */
public record AdamWConfig(double learningRate, double weightDecay, double beta1, double beta2,
    double epsilon, boolean amsgrad) implements OptimizerConfig {

  public AdamWConfig {
    Checks.nonNegative("learning_rate", learningRate);
    Checks.nonNegative("weight_decay", weightDecay);
    Checks.nonNegative("beta_1", beta1);
    Checks.nonNegative("beta_2", beta2);
    Checks.nonNegative("epsilon", epsilon);
  }

  public static AdamWConfig defaults() {
    return new AdamWConfig(0.001, 0.004, 0.9, 0.999, 1e-7, false);
  }

  @Override
  public String kerasClassName() {
    return "AdamW";
  }

  @Override
  public AdamWConfig withLearningRate(double learningRate) {
    return new AdamWConfig(learningRate, weightDecay, beta1, beta2, epsilon, amsgrad);
  }
}
