package dev.lrfinder.model;

import dev.lrfinder.data.ArrayName;
import dev.lrfinder.data.DataException;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.Numbers;
import java.util.Locale;

/**
 * What values a model's labels may hold, by its loss, so that a bad label is refused at load with
 * its position instead of failing in TensorFlow (or training on garbage) when its batch comes up:
 * integer class ids {@code 0 <= id < classes} for sparse categorical crossentropy, values in
 * {@code [0, 1]} for binary and categorical crossentropy (whose one-hot row shape the label
 * {@link TensorSpec} checks), anything finite for other losses.
 *
 * @param classes the model's number of classes (its output's last dimension), -1 when unknown
 * @param loss the loss the rule comes from, for messages
 */
public record LabelValues(Kind kind, long classes, String loss) {
  /** The kinds of label a loss takes. */
  public enum Kind { ANY, CLASS_IDS, PROBABILITIES }

  /** Labels of a loss without a range (regression), or of a spec that is no label. */
  public static final LabelValues ANY = new LabelValues(Kind.ANY, -1, "");

  /**
   * The labels Keras loss {@code loss} takes (snake_case or class name) for an output of shape
   * {@code outputShape} (batch first; empty when unknown).
   */
  public static LabelValues forLoss(String loss, long[] outputShape) {
    long last = outputShape.length == 0 ? -1 : outputShape[outputShape.length - 1];
    long classes = last > 0 ? last : -1;
    switch (loss.toLowerCase(Locale.ROOT).replace("_", "")) {
      case "sparsecategoricalcrossentropy":
        return new LabelValues(Kind.CLASS_IDS, classes, loss);
      case "categoricalcrossentropy":
      case "categoricalfocalcrossentropy":
      case "binarycrossentropy":
      case "binaryfocalcrossentropy":
      case "bce":
        return new LabelValues(Kind.PROBABILITIES, classes, loss);
      default:
        return ANY;
    }
  }

  /**
   * Throws a DataException naming the first label this loss cannot take, its position and the
   * rule; one pass over the labels.
   */
  public void check(HostArray labels, ArrayName name) {
    long bad = switch (kind) {
      case ANY -> -1;
      case CLASS_IDS -> labels.firstIndexWhere(
          v -> v != Math.rint(v) || v < 0 || (classes > 0 && v >= classes));
      case PROBABILITIES -> labels.firstIndexWhere(v -> !(v >= 0 && v <= 1));
    };
    if (bad >= 0) {
      throw new DataException(name.element(labels.indexOf(bad)) + " is "
          + Numbers.plain(labels.getDouble(bad)) + ", but " + rule());
    }
  }

  /**
   * The rule in words, e.g. {@code the model's sparse_categorical_crossentropy needs integer
   * class ids 0 to 2 (its output has 3 classes)}; empty for ANY.
   */
  public String rule() {
    return switch (kind) {
      case ANY -> "";
      case CLASS_IDS -> "the model's " + loss + " needs integer class ids "
          + (classes > 0 ? "0 to " + (classes - 1) + " (its output has " + classes + " classes)"
              : "from 0");
      case PROBABILITIES -> loss.toLowerCase(Locale.ROOT).contains("categorical")
          ? "the model's " + loss + " needs one row of " + (classes > 0 ? classes + " " : "")
              + "class probabilities in [0, 1] per sample (one-hot; for class ids use"
              + " sparse_categorical_crossentropy)"
          : "the model's " + loss + " needs labels in [0, 1]";
    };
  }

  /** A short form for a spec, e.g. {@code class ids 0 to 2}; empty for ANY. */
  public String summary() {
    return switch (kind) {
      case ANY -> "";
      case CLASS_IDS -> classes > 0 ? "class ids 0 to " + (classes - 1) : "class ids";
      case PROBABILITIES -> "values in [0, 1]";
    };
  }
}
