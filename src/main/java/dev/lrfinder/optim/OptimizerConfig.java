package dev.lrfinder.optim;

/**
 * The hyperparameters of one Keras optimizer, with Keras's defaults. {@link #learningRate()} is
 * only the initial rate: the built {@link GraphOptimizer} holds the live rate in a variable.
 * {@link #weightDecay()} is Keras's decoupled {@code weight_decay} (0 = none), which tf_keras
 * applies before the update as {@code var -= var * wd * lr} for every optimizer that sets it.
 */
public sealed interface OptimizerConfig
    permits SgdConfig, RmsPropConfig, AdagradConfig, AdamConfig, AdamWConfig {

  /** The Keras class name, e.g. {@code "Adam"}. */
  String kerasClassName();

  double learningRate();

  double weightDecay();

  /** This config with another initial learning rate. */
  OptimizerConfig withLearningRate(double learningRate);

  /** Parses a Keras optimizer serialization; see {@link KerasOptimizerConfigs#fromKeras}. */
  static OptimizerConfig fromKeras(java.util.Map<String, ?> serialized) {
    return KerasOptimizerConfigs.fromKeras(serialized);
  }
}
