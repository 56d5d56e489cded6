package dev.lrfinder.optim;

/** Keras {@code SGD(learning_rate=0.01, momentum=0.0, nesterov=False)}. */
public record SgdConfig(double learningRate, double momentum, boolean nesterov, double weightDecay)
    implements OptimizerConfig {

  public SgdConfig {
    Checks.nonNegative("learning_rate", learningRate);
    Checks.nonNegative("weight_decay", weightDecay);
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
    }
  }

  public static SgdConfig defaults() {
    return new SgdConfig(0.01, 0.0, false, 0.0);
  }

  @Override
  public String kerasClassName() {
    return "SGD";
  }

  @Override
  public SgdConfig withLearningRate(double learningRate) {
    return new SgdConfig(learningRate, momentum, nesterov, weightDecay);
  }
}
