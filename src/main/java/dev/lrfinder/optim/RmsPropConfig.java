package dev.lrfinder.optim;

/**
 * Keras {@code RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)}.
 *
 * @param legacy tf_keras's legacy (optimizer_v2) RMSprop, as configs with a {@code decay} key
 *     come from: without momentum it adds epsilon outside the square root,
 *     {@code lr * g / (sqrt(denominator) + epsilon)}; with momentum (fused kernels) it is the
 *     current update
 */
public record RmsPropConfig(double learningRate, double rho, double momentum, double epsilon,
    boolean centered, double weightDecay, boolean legacy) implements OptimizerConfig {

  public RmsPropConfig {
    Checks.nonNegative("learning_rate", learningRate);
    Checks.nonNegative("rho", rho);
    Checks.nonNegative("momentum", momentum);
    Checks.nonNegative("epsilon", epsilon);
    Checks.nonNegative("weight_decay", weightDecay);
  }

  /** The current (not legacy) RMSprop. */
  public RmsPropConfig(double learningRate, double rho, double momentum, double epsilon,
      boolean centered, double weightDecay) {
    this(learningRate, rho, momentum, epsilon, centered, weightDecay, false);
  }

  public static RmsPropConfig defaults() {
    return new RmsPropConfig(0.001, 0.9, 0.0, 1e-7, false, 0.0);
  }

  @Override
  public String kerasClassName() {
    return "RMSprop";
  }

  @Override
  public RmsPropConfig withLearningRate(double learningRate) {
    return new RmsPropConfig(learningRate, rho, momentum, epsilon, centered, weightDecay, legacy);
  }
}
