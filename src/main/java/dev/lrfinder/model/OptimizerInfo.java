package dev.lrfinder.model;

import java.util.Map;

/**
 * One optimizer of a model: its key (as in {@code train_<key>}), Keras class and config (values as
 * read from JSON; {@code null} where Keras has none).
 */
public record OptimizerInfo(
    String key, String className, Map<String, Object> config, double initialLearningRate) {
  public OptimizerInfo {
    config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
  }
}
