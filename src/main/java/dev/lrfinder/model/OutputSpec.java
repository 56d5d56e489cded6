package dev.lrfinder.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One output of a model as compiled: its key (the Keras output name), its shape (batch first,
 * {@code -1} for any size; empty where the contract does not record it), the label it is trained
 * against, its loss with the loss's Keras config, the weight of that loss in the total, and the
 * names of its metrics as the signatures return them.
 */
public record OutputSpec(String key, long[] shape, TensorSpec label, String loss,
    Map<String, Object> lossConfig, double lossWeight, List<String> metrics) {
  public OutputSpec {
    shape = shape.clone();
    lossConfig = Collections.unmodifiableMap(new LinkedHashMap<>(lossConfig));
    metrics = List.copyOf(metrics);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The name of this output's own loss among a signature's outputs: {@code <key>_loss}. */
  public String lossOutputName() {
    return ModelContract.sanitize(key) + "_loss";
  }

  /** This output with its label's values taken from its loss and {@code outputShape}. */
  public OutputSpec withOutputShape(long[] outputShape) {
    return new OutputSpec(key, outputShape, label.withValues(LabelValues.forLoss(loss,
        outputShape)), loss, lossConfig, lossWeight, metrics);
  }

  /**
   * For example {@code age: output [?, 1], loss mean_squared_error, weight 0.5, label y_age:
   * float32[?, 1]}.
   */
  public String describe() {
    return key + ": " + (shape.length == 0 ? "" : "output "
        + Arrays.toString(shape).replace("-1", "?") + ", ") + "loss " + loss + ", weight "
        + dev.lrfinder.data.Numbers.plain(lossWeight) + ", label " + label;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputSpec other && other.key.equals(key)
        && Arrays.equals(other.shape, shape) && other.label.equals(label)
        && other.loss.equals(loss) && other.lossConfig.equals(lossConfig)
        && Double.compare(other.lossWeight, lossWeight) == 0 && other.metrics.equals(metrics);
  }

  @Override
  public int hashCode() {
    return key.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
