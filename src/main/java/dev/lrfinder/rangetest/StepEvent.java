package dev.lrfinder.rangetest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One step of a range test, as {@link RangeTestListener#onStep} sees it.
 *
 * @param optimizer the optimizer key being tested
 * @param step the step, 0-based
 * @param learningRate the rate the step trained at
 * @param loss the raw loss the curve follows (the training loss of the batch, or in validation
 *     mode the mean validation loss after the step)
 * @param smoothedLoss the bias-corrected smoothed value of {@code loss}
 * @param metrics the training batch's metrics by name ({@code accuracy}, or
 *     {@code <output>_<metric>}), in the model's order; empty when the model has none
 */
public record StepEvent(String optimizer, long step, double learningRate, double loss,
    double smoothedLoss, Map<String, Double> metrics) {
  public StepEvent {
    Objects.requireNonNull(optimizer, "optimizer");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }
}
