package dev.lrfinder.direct;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lrfinder.data.DType;
import dev.lrfinder.model.LabelValues;
import dev.lrfinder.model.TensorSpec;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Losses;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.framework.losses.impl.LossesHelper;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * A Keras loss as graph ops, giving the number tf_keras 2.18's {@code compile(loss=...)} + {@code
 * fit} trains on: the per-sample loss from tensorflow-framework's {@link Losses} functions, reduced
 * as Keras's default {@code sum_over_batch_size} (sum / element count, float32). Keras's logits
 * shortcut is applied here (the framework leaves it as a TODO): when the output comes straight
 * from a Softmax or a Sigmoid, that op's input is used as logits by every crossentropy (backend
 * {@code _get_logits} reads {@code _keras_logits}, which both activations set), whatever
 * {@code from_logits} says. The framework's {@code Loss} classes are not
 * used: without from_logits they add a [0, 1] range assertion that Keras does not have.
 *
 * @param name canonical snake_case name, one of {@link #NAMES}
 * @param origin where the loss came from, for messages ({@code training_config} or {@code --loss})
 */
public record KerasLoss(String name, boolean fromLogits, String origin) {
  /** tf_keras's {@code backend.epsilon()}, the clip margin of crossentropies on probabilities. */
  private static final float EPSILON = 1e-7f;
  public static final String SPARSE_CATEGORICAL = "sparse_categorical_crossentropy";
  public static final String CATEGORICAL = "categorical_crossentropy";
  public static final String BINARY = "binary_crossentropy";
  public static final String MSE = "mean_squared_error";
  public static final String MAE = "mean_absolute_error";
  public static final List<String> NAMES = List.of(SPARSE_CATEGORICAL, CATEGORICAL, BINARY, MSE, MAE);
  public static final String FROM_TRAINING_CONFIG = "training_config";
  public static final String FROM_OPTION = "--loss";

  /** Aliases tf_keras's {@code losses.get} accepts, and the loss classes, by canonical name. */
  private static final Map<String, String> ALIASES = Map.ofEntries(
      Map.entry("mse", MSE), Map.entry("MSE", MSE), Map.entry("MeanSquaredError", MSE),
      Map.entry("mae", MAE), Map.entry("MAE", MAE), Map.entry("MeanAbsoluteError", MAE),
      Map.entry("bce", BINARY), Map.entry("BCE", BINARY), Map.entry("BinaryCrossentropy", BINARY),
      Map.entry("CategoricalCrossentropy", CATEGORICAL),
      Map.entry("SparseCategoricalCrossentropy", SPARSE_CATEGORICAL));
  /** Loss-object config keys with no effect on the number (checked ones are read below). */
  private static final Set<String> KNOWN_KEYS = Set.of("name", "fn", "reduction", "from_logits",
      "label_smoothing", "axis", "ignore_class");

  public KerasLoss {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("Unsupported loss \"" + name + "\"; " + accepted());
    }
    if (fromLogits && !isCrossentropy(name)) {
      throw new IllegalArgumentException("from_logits applies to the crossentropies only, not "
          + name + ".");
    }
  }

  /**
   * The loss tf_keras wrote to {@code training_config.loss}: a name, a one-element list, or a
   * serialized loss object. Per-output losses and options that change the math (label smoothing,
   * ignore_class, a reduction other than sum over batch size, an axis other than -1) are refused
   * with an IllegalArgumentException.
   */
  public static KerasLoss fromTrainingConfig(JsonNode loss) {
    if (loss == null || loss.isNull()) {
      throw new IllegalArgumentException("The model was compiled without a loss.");
    }
    if (loss.isArray() && loss.size() == 1) {
      return fromTrainingConfig(loss.get(0));
    }
    if (loss.isTextual()) {
      return new KerasLoss(canonical(loss.asText()), false, FROM_TRAINING_CONFIG);
    }
    if (loss.isArray() || !loss.has("class_name")) {
      throw new UnsupportedModelException("it has one loss per output (" + loss
          + "), and the direct path trains models with one output");
    }
    String className = loss.get("class_name").asText();
    String name = canonical(className);
    JsonNode config = loss.path("config");
    for (Iterator<String> keys = config.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!KNOWN_KEYS.contains(key)) {
        throw new IllegalArgumentException("Unknown " + className + " option \"" + key
            + "\"; lrfinder refuses loss options it cannot reproduce exactly.");
      }
    }
    String reduction = config.path("reduction").asText("auto");
    if (!reduction.equals("auto") && !reduction.equals("sum_over_batch_size")) {
      throw new IllegalArgumentException(className + " reduction \"" + reduction
          + "\" is not supported; only auto (sum_over_batch_size) is.");
    }
    if (config.path("label_smoothing").asDouble(0) != 0) {
      throw new IllegalArgumentException(className + " label_smoothing="
          + config.get("label_smoothing") + " is not supported.");
    }
    if (config.path("axis").asInt(-1) != -1) {
      throw new IllegalArgumentException(className + " axis=" + config.get("axis")
          + " is not supported; only -1 is.");
    }
    if (config.hasNonNull("ignore_class")) {
      throw new IllegalArgumentException(className + " ignore_class="
          + config.get("ignore_class") + " is not supported.");
    }
    return new KerasLoss(name, config.path("from_logits").asBoolean(false), FROM_TRAINING_CONFIG);
  }

  /** A {@code --loss} value: a Keras loss name, optionally with {@code :from_logits}. */
  public static KerasLoss parse(String spec) {
    String trimmed = spec.trim();
    boolean logits = trimmed.endsWith(":from_logits");
    String name = logits ? trimmed.substring(0, trimmed.length() - ":from_logits".length()) : trimmed;
    String canonical = ALIASES.getOrDefault(name, name.toLowerCase(Locale.ROOT));
    if (!NAMES.contains(canonical) || (logits && !isCrossentropy(canonical))) {
      throw new IllegalArgumentException("Unknown --loss \"" + spec + "\"; " + accepted());
    }
    return new KerasLoss(canonical, logits, FROM_OPTION);
  }

  /** Whether labels are class ids rather than the output's shape. */
  public boolean sparse() {
    return name.equals(SPARSE_CATEGORICAL);
  }

  /**
   * The labels this loss expects for an output of {@code outputShape} (batch dimension first):
   * int32 class ids of the output's shape without its last axis for sparse categorical
   * crossentropy, else float32 of the output's shape; with the values each loss takes (class ids
   * below the output's class count, values in [0, 1] for the other crossentropies).
   */
  public TensorSpec labelSpec(long[] outputShape) {
    LabelValues values = LabelValues.forLoss(name, outputShape);
    return sparse()
        ? new TensorSpec("y", DType.INT32, Arrays.copyOf(outputShape, outputShape.length - 1), values)
        : new TensorSpec("y", DType.FLOAT32, outputShape, values);
  }

  /** For example "sparse_categorical_crossentropy (from_logits) from training_config". */
  public String describe() {
    return name + (fromLogits ? " (from_logits)" : "") + " from " + origin;
  }

  /** The scalar batch loss of {@code labels} against {@code output}. */
  public Operand<TFloat32> build(Ops tf, Operand<? extends TNumber> labels, ModelOutput output) {
    Operand<TFloat32> predictions = output.value();
    boolean logits = fromLogits;
    // tf_keras's softmax and sigmoid both leave their input on the output (_keras_logits), and
    // every crossentropy takes it as logits whichever activation it was: a sigmoid output under
    // sparse categorical crossentropy gets a softmax of the sigmoid's logits (measured on a
    // public Embedding + LSTM model: 3.57 against 1.92 from the probabilities).
    if (isCrossentropy(name) && output.activation() != null) {
      predictions = output.activationInput();
      logits = true;
    }
    if (name.equals(SPARSE_CATEGORICAL)) {
      return LossesHelper.computeWeightedLoss(tf,
          sparseCrossentropy(tf, labels, predictions, logits), Reduction.AUTO, null);
    }
    Operand<? extends TNumber> y = matchRank(tf, labels, predictions);
    Operand<TFloat32> perSample = switch (name) {
      case CATEGORICAL -> Losses.categoricalCrossentropy(tf, y, predictions, logits, 0f, -1);
      case BINARY -> Losses.binaryCrossentropy(tf, y, predictions, logits, 0f);
      case MSE -> Losses.meanSquaredError(tf, y, predictions);
      case MAE -> Losses.meanAbsoluteError(tf, y, predictions);
      default -> throw new AssertionError(name);
    };
    return LossesHelper.computeWeightedLoss(tf, perSample, Reduction.AUTO, null);
  }

  /**
   * Sparse categorical crossentropy per sample, as tf_keras computes it: probabilities are
   * clipped to [1e-7, 1 - 1e-7] and their log taken as logits, then
   * {@code logsumexp(z) - z[label]}. TensorFlow's C++ gradient registry (what the training graph
   * is differentiated with) has no gradient for {@code SparseSoftmaxCrossEntropyWithLogits}, so
   * the value comes from the dense op on one-hot labels: the same formula per row, with a gradient.
   */
  private static Operand<TFloat32> sparseCrossentropy(Ops tf, Operand<? extends TNumber> labels,
      Operand<TFloat32> predictions, boolean logits) {
    long classes = predictions.shape().size(-1);
    if (classes < 1) {
      throw new IllegalArgumentException("sparse_categorical_crossentropy needs a known number of"
          + " classes (the output's last dimension), got " + predictions.shape());
    }
    Operand<TFloat32> z = logits ? predictions : tf.math.log(tf.clipByValue(predictions,
        tf.constant(EPSILON), tf.constant(1f - EPSILON)));
    Operand<TFloat32> rows = tf.reshape(z, tf.constant(new long[] {-1, classes}));
    Operand<org.tensorflow.types.TInt32> indices = tf.reshape(
        tf.dtypes.cast(labels, org.tensorflow.types.TInt32.class), tf.constant(new long[] {-1}));
    Operand<TFloat32> oneHot = tf.oneHot(indices, tf.constant((int) classes), tf.constant(1f),
        tf.constant(0f));
    return tf.nn.softmaxCrossEntropyWithLogits(rows, oneHot).loss();
  }

  /** Rank-1 labels of a rank-2 output get a trailing axis (tf_keras match_dtype_and_rank). */
  static Operand<? extends TNumber> matchRank(Ops tf, Operand<? extends TNumber> labels,
      Operand<TFloat32> output) {
    return labels.shape().numDimensions() == 1 && output.shape().numDimensions() == 2
        ? tf.expandDims(labels, tf.constant(-1)) : labels;
  }

  private static String canonical(String keras) {
    String name = ALIASES.getOrDefault(keras, keras);
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("Unsupported loss \"" + keras + "\"; " + accepted());
    }
    return name;
  }

  private static boolean isCrossentropy(String name) {
    return name.endsWith("crossentropy");
  }

  private static String accepted() {
    return "accepted are " + String.join(", ", NAMES) + " (or mse, mae), crossentropies"
        + " optionally with :from_logits.";
  }
}
