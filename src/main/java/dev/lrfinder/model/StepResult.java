package dev.lrfinder.model;

import java.util.Map;

/** The loss and per-batch metrics (e.g. accuracy) of one training or evaluation step. */
public record StepResult(double loss, Map<String, Double> metrics) {
  public StepResult {
    metrics = Map.copyOf(metrics);
  }
}
