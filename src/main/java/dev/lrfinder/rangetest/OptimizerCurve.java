package dev.lrfinder.rangetest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a range test recorded for one optimizer: per step, the learning rate it trained at, the
 * raw training loss, the loss the curve follows (the training loss, or the validation loss in
 * validation mode) and its bias-corrected smoothed value. The step that triggered a stop is
 * included (as in seed 002 and fast.ai).
 *
 * @param bestSmoothedLoss the lowest smoothed loss from the first step after the skipped warm-up
 *     window on (what the stop factor compares with); NaN when the run ended inside the window
 * @param secondsInModel time spent in model calls (set learning rate, train, evaluate), so that
 *     {@code seconds - secondsInModel} is the engine's own overhead
 * @param outputLosses for a model with several outputs, each output's own (unweighted) training
 *     loss per step, by output key in the model's order; empty for a model with one output,
 *     whose training loss is {@code trainLosses}
 */
public record OptimizerCurve(
    String optimizer,
    List<Double> learningRates,
    List<Double> trainLosses,
    List<Double> losses,
    List<Double> smoothedLosses,
    StopReason stopReason,
    long plannedSteps,
    double bestSmoothedLoss,
    double seconds,
    double secondsInModel,
    Map<String, List<Double>> outputLosses) implements java.io.Serializable {

  public OptimizerCurve {
    learningRates = List.copyOf(learningRates);
    trainLosses = List.copyOf(trainLosses);
    losses = List.copyOf(losses);
    smoothedLosses = List.copyOf(smoothedLosses);
    int n = learningRates.size();
    if (trainLosses.size() != n || losses.size() != n || smoothedLosses.size() != n) {
      throw new IllegalArgumentException("all per-step lists must have the same length");
    }
    Map<String, List<Double>> copies = new LinkedHashMap<>();
    outputLosses.forEach((key, values) -> copies.put(key, List.copyOf(values)));
    if (copies.values().stream().anyMatch(values -> values.size() != n)) {
      throw new IllegalArgumentException("all per-step lists must have the same length");
    }
    outputLosses = Collections.unmodifiableMap(copies);
  }

  /** A curve of a model with one output. */
  public OptimizerCurve(String optimizer, List<Double> learningRates, List<Double> trainLosses,
      List<Double> losses, List<Double> smoothedLosses, StopReason stopReason, long plannedSteps,
      double bestSmoothedLoss, double seconds, double secondsInModel) {
    this(optimizer, learningRates, trainLosses, losses, smoothedLosses, stopReason, plannedSteps,
        bestSmoothedLoss, seconds, secondsInModel, Map.of());
  }

  /** Number of steps actually run. */
  public int stepsRun() {
    return learningRates.size();
  }

  /** The learning rates as an array (a copy). */
  public double[] learningRateArray() {
    return learningRates.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The losses the curve follows (raw, before smoothing) as an array (a copy). */
  public double[] lossArray() {
    return losses.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The smoothed losses as an array (a copy). */
  public double[] smoothedArray() {
    return smoothedLosses.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
