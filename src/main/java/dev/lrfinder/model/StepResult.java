package dev.lrfinder.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss and per-batch metrics (e.g. accuracy) of one training or evaluation step.
 *
 * @param loss the loss the gradient is taken of: for a model with several outputs, the total
 *     (the weighted sum of the outputs' losses plus regularization), as Keras's {@code fit} reports
 * @param outputLosses for a model with several outputs, each output's own loss by output key
 *     (unweighted, as Keras's {@code <output>_loss}); empty for a model with one output
 * @param metrics per-batch metrics by name ({@code accuracy}, or {@code <output>_<metric>})
 */
public record StepResult(double loss, Map<String, Double> outputLosses,
    Map<String, Double> metrics) {
  public StepResult {
    // Copies that keep the signature's order (the outputs', then the metrics').
    outputLosses = Collections.unmodifiableMap(new LinkedHashMap<>(outputLosses));
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /** A step of a model with one output. */
  public StepResult(double loss, Map<String, Double> metrics) {
    this(loss, Map.of(), metrics);
  }
}
