package dev.lrfinder.lab;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch of a training run.
 *
 * @param epoch 0-based
 * @param steps the training steps it ran (fewer than an epoch's when the run stopped inside it)
 * @param train loss and metrics over its batches as Keras's {@code fit} reports them (keys
 *     {@code loss}, {@code <output>_loss}, metric names; see {@link KerasMean})
 * @param validation the same on the validation data after the epoch, as Keras's {@code evaluate}
 *     computes them, without the {@code val_} prefix; empty without validation data or when the
 *     epoch did not complete
 * @param learningRate the rate of the epoch's last step
 * @param decision what the epoch-end rules said ("reduced the learning rate to 1e-3",
 *     "early stopping: ..."), or ""
 * @param complete whether every step of the epoch ran
 * @param seconds wall time of the epoch, validation included
 */
public record EpochRecord(int epoch, long steps, Map<String, Double> train,
    Map<String, Double> validation, double learningRate, String decision, boolean complete,
    double seconds) {
  public EpochRecord {
    train = Collections.unmodifiableMap(new LinkedHashMap<>(train));
    validation = Collections.unmodifiableMap(new LinkedHashMap<>(validation));
    decision = decision == null ? "" : decision;
  }

  /**
   * The epoch's logs as Keras names them: the training values, then the validation values with
   * the {@code val_} prefix ({@code loss, accuracy, val_loss, val_accuracy}).
   */
  public Map<String, Double> logs() {
    Map<String, Double> logs = new LinkedHashMap<>(train);
    validation.forEach((key, value) -> logs.put("val_" + key, value));
    return Collections.unmodifiableMap(logs);
  }
}
