package dev.lrfinder.lab;

/**
 * A running weighted mean that rounds as Keras's {@code keras.metrics.Mean} does: its
 * {@code total} and {@code count} are float32 variables, {@code update_state(value, weight)}
 * adds {@code float32(value) * float32(weight)} to the total and the weight to the count, and
 * {@code result()} is {@code total / count} in float32. {@code fit} and {@code evaluate} keep their
 * loss this way with the batch's row count as weight (keras/src/backend/tensorflow/trainer.py,
 * {@code _loss_tracker.update_state(loss, sample_weight=batch_size)}), and a mean metric such as
 * accuracy sums its per-row values, which is its batch mean times the batch's rows.
 */
final class KerasMean {
  private float total;
  private float count;

  /** Adds {@code value} with {@code weight}. */
  void add(double value, long weight) {
    total += (float) value * (float) weight;
    count += (float) weight;
  }

  /** The mean so far (NaN before any value, as no number is better). */
  double result() {
    return count == 0 ? Double.NaN : (double) (total / count);
  }
}
