package dev.lrfinder.direct;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Losses;
import org.tensorflow.framework.losses.impl.LossesHelper;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * A compiled Keras metric as graph ops: its value on one batch, the mean over the batch of the
 * per-sample values, as a freshly reset tf_keras {@code MeanMetricWrapper} reports it. The accuracy
 * matches are raw ops: the framework's metric classes create total/count variables as soon as they
 * are called. The error metrics use the framework's stateless {@link Losses} functions.
 *
 * @param name the key Keras logs it under: what the user wrote, e.g. {@code accuracy}
 * @param function {@link #ACCURACY} (resolved from the shapes when built, as {@code compile} does),
 *     or one of the functions in {@link #FUNCTIONS}
 */
public record KerasMetric(String name, String function) {
  public static final String ACCURACY = "accuracy";
  /**
   * The per-sample functions. {@code binary_matches} is the BinaryAccuracy class's: it averages
   * the element matches over the whole batch, where {@code binary_accuracy} (the string) averages
   * each row first, which can round differently for multi-label outputs.
   */
  public static final List<String> FUNCTIONS = List.of("sparse_categorical_accuracy",
      "categorical_accuracy", "binary_accuracy", "binary_matches", "mean_absolute_error",
      "mean_squared_error");
  /** Strings and metric classes tf_keras's {@code metrics.get} maps to those functions. */
  private static final Map<String, String> ALIASES = Map.ofEntries(
      Map.entry("acc", ACCURACY), Map.entry("mae", "mean_absolute_error"),
      Map.entry("mse", "mean_squared_error"),
      Map.entry("SparseCategoricalAccuracy", "sparse_categorical_accuracy"),
      Map.entry("CategoricalAccuracy", "categorical_accuracy"),
      Map.entry("BinaryAccuracy", "binary_matches"),
      Map.entry("MeanAbsoluteError", "mean_absolute_error"),
      Map.entry("MeanSquaredError", "mean_squared_error"));
  private static final Set<String> PLAIN_CONFIG = Set.of("name", "dtype", "fn");

  public KerasMetric {
    if (!function.equals(ACCURACY) && !FUNCTIONS.contains(function)) {
      throw new IllegalArgumentException("Unsupported metric function \"" + function + "\".");
    }
  }

  /**
   * The supported metrics of a tf_keras {@code training_config.metrics} (a list, usually one list
   * per output, of names or serialized metric objects; nested lists are flattened).
   */
  public static List<KerasMetric> fromTrainingConfig(JsonNode metrics) {
    List<KerasMetric> supported = new ArrayList<>();
    parse(metrics, supported, new ArrayList<>());
    return supported;
  }

  /** The names of the metrics {@link #fromTrainingConfig} skips, for a warning. */
  public static List<String> unsupported(JsonNode metrics) {
    List<String> skipped = new ArrayList<>();
    parse(metrics, new ArrayList<>(), skipped);
    return skipped;
  }

  private static void parse(JsonNode node, List<KerasMetric> supported, List<String> skipped) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isArray() || (node.isObject() && !node.has("class_name"))) {
      node.forEach(child -> parse(child, supported, skipped));
    } else if (node.isTextual()) {
      String function = resolve(node.asText());
      if (function == null) {
        skipped.add(node.asText());
      } else {
        supported.add(new KerasMetric(node.asText(), function));
      }
    } else {
      String className = node.path("class_name").asText();
      JsonNode config = node.path("config");
      String name = config.path("name").asText(className);
      String function = className.equals("MeanMetricWrapper")
          ? resolve(config.path("fn").asText()) : ALIASES.get(className);
      if (isAccuracy(name) && className.equals("MeanMetricWrapper")) {
        // "accuracy" saved before training: compile built it against y_true = y_pred, so its
        // "fn" says categorical_accuracy whatever the labels. Resolve it again when built.
        function = ACCURACY;
      }
      if (function == null || !config.path("dtype").asText("float32").equals("float32")
          || !plainConfig(config)) {
        skipped.add(name);
      } else {
        supported.add(new KerasMetric(name, function));
      }
    }
  }

  /** Only name/dtype/fn, and BinaryAccuracy's threshold at its default 0.5. */
  private static boolean plainConfig(JsonNode config) {
    for (Iterator<String> keys = config.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!PLAIN_CONFIG.contains(key)
          && !(key.equals("threshold") && config.get(key).asDouble() == 0.5)) {
        return false;
      }
    }
    return true;
  }

  private static String resolve(String keras) {
    if (isAccuracy(keras)) {
      return ACCURACY;
    }
    String function = ALIASES.getOrDefault(keras, keras);
    return FUNCTIONS.contains(function) ? function : null;
  }

  private static boolean isAccuracy(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.equals("accuracy") || lower.equals("acc");
  }

  /**
   * What "accuracy" means for these label and output shapes, as tf_keras compile decides it
   * (compile_utils {@code _get_metric_object}): binary when the output's last axis is 1, sparse
   * when the labels have a lower rank or a last axis of 1, else categorical.
   */
  public static String accuracyFunction(Shape labels, Shape output) {
    long outputLast = output.size(-1);
    if (outputLast == 1) {
      return "binary_accuracy";
    }
    boolean sparse = labels.numDimensions() < output.numDimensions()
        || (labels.size(-1) == 1 && outputLast > 1);
    return sparse ? "sparse_categorical_accuracy" : "categorical_accuracy";
  }

  /** The metric's value on one batch (a float32 scalar). */
  public Operand<TFloat32> build(Ops tf, Operand<? extends TNumber> labels, ModelOutput output) {
    Operand<TFloat32> predictions = output.value();
    // MeanMetricWrapper casts labels to float32 after compile's match_dtype_and_rank.
    Operand<TFloat32> y = tf.dtypes.cast(KerasLoss.matchRank(tf, labels, predictions),
        TFloat32.class);
    String resolved = function.equals(ACCURACY)
        ? accuracyFunction(labels.shape(), predictions.shape()) : function;
    Operand<TFloat32> perSample = switch (resolved) {
      case "sparse_categorical_accuracy" -> {
        // metrics_utils.sparse_categorical_matches: drop a label axis of 1, compare to argmax.
        Operand<TFloat32> ids = y.shape().numDimensions() == predictions.shape().numDimensions()
            ? tf.squeeze(y, Squeeze.axis(List.of(-1L))) : y;
        yield matches(tf, ids, tf.dtypes.cast(tf.math.argMax(predictions, tf.constant(-1)),
            TFloat32.class));
      }
      case "categorical_accuracy" -> matches(tf, tf.math.argMax(y, tf.constant(-1)),
          tf.math.argMax(predictions, tf.constant(-1)));
      case "binary_accuracy" -> tf.math.mean(binaryMatches(tf, y, predictions), tf.constant(-1));
      case "binary_matches" -> binaryMatches(tf, y, predictions);
      case "mean_absolute_error" -> Losses.meanAbsoluteError(tf, y, predictions);
      case "mean_squared_error" -> Losses.meanSquaredError(tf, y, predictions);
      default -> throw new AssertionError(resolved);
    };
    // Mean.update_state + result on fresh state: sum / count, count being the element count.
    return LossesHelper.safeMean(tf, perSample);
  }

  /** metrics_utils.binary_matches: labels equal to (prediction > 0.5). */
  private static Operand<TFloat32> binaryMatches(Ops tf, Operand<TFloat32> labels,
      Operand<TFloat32> predictions) {
    return matches(tf, labels,
        tf.dtypes.cast(tf.math.greater(predictions, tf.constant(0.5f)), TFloat32.class));
  }

  private static <T extends TNumber> Operand<TFloat32> matches(Ops tf, Operand<T> a, Operand<T> b) {
    return tf.dtypes.cast(tf.math.equal(a, b), TFloat32.class);
  }
}
