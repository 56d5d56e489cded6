package dev.lrfinder.model;

import java.util.Locale;
import java.util.Objects;

/**
 * How a model is trained: which path ({@link Kind}) and, in words, what it trains with. Its
 * {@link #toString()} is the one line that {@code inspect}, the report and result.json show, e.g.
 * {@code exported: training contract v1 from scripts/export.py} or
 * {@code direct: trainable, 4 variables (4 trainable), loss mean_squared_error}.
 *
 * @param kind the path
 * @param detail what the path trains with, without the kind's label
 */
public record TrainingPath(Kind kind, String detail) {

  /** The two training paths. */
  public enum Kind {
    /** The signatures of the training contract written by scripts/export.py. */
    EXPORTED,
    /** A graph lrfinder builds from a Keras 2 SavedModel. */
    DIRECT;

    /** The label that starts the one-line description: {@code exported} or {@code direct}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public TrainingPath {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
  }

  /** The exported path, training with {@code detail} (e.g. its contract version). */
  public static TrainingPath exported(String detail) {
    return new TrainingPath(Kind.EXPORTED, detail);
  }

  /** The direct path, training with {@code detail} (e.g. its variables and loss). */
  public static TrainingPath direct(String detail) {
    return new TrainingPath(Kind.DIRECT, detail);
  }

  /** {@code <kind>: <detail>}. */
  @Override
  public String toString() {
    return kind.label() + ": " + detail;
  }
}
