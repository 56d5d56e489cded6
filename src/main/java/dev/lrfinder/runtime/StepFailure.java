package dev.lrfinder.runtime;

import dev.lrfinder.data.DataException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * TensorFlow's error while it trains or evaluates one batch, told as one sentence. The shape and
 * dtype checks before a step pass any size a model leaves open ({@code [batch, ?]}); a layer that
 * fixed the size inside (an adapted Normalization's 8 features) only fails while the step runs,
 * with TensorFlow's own text ({@code Incompatible shapes: [64,10] vs. [1,8]} and a
 * {@code [[{{node lrfinder/train/normalization/sub}}]]} trace). This keeps the first line, without
 * the trace, and names the layer from the node's scope.
 */
public final class StepFailure {
  private static final Pattern NODE = Pattern.compile("\\{\\{node ([^}]+)}}");
  /** Scopes of the graph itself, not Keras layers: the direct path's and the exporter's. */
  private static final Pattern OWN_SCOPE = Pattern.compile("^(lrfinder/(train|eval)/)");

  private StepFailure() {}

  /**
   * Whether {@code e} is TensorFlow's runtime error: a {@link TensorFlowException}, or one of
   * the status exceptions TF Java derives from Java's own types instead
   * ({@code TFInvalidArgumentException} is an {@link IllegalArgumentException}).
   */
  public static boolean isTensorFlow(RuntimeException e) {
    return e instanceof TensorFlowException
        || e.getClass().getPackageName().equals(TensorFlowException.class.getPackageName());
  }

  /** The failure of a step of {@code what} ("training", "evaluation") on a batch. */
  public static DataException of(String what, RuntimeException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    String first = message.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst()
        .orElse(e.getClass().getSimpleName());
    first = NODE.matcher(first).replaceAll("").replaceAll("\\[\\[\\s*]]", "").trim();
    String layer = layer(message);
    return new DataException("the data does not fit the model: " + what + " failed with '"
        + first + "'" + (layer.isEmpty() ? "" : " in layer '" + layer + "'")
        + "; check that every feature array has the size the model was trained on", e);
  }

  /** The Keras layer of the first node named in {@code message}, or "". */
  static String layer(String message) {
    Matcher node = NODE.matcher(message);
    if (!node.find()) {
      return "";
    }
    String scope = OWN_SCOPE.matcher(node.group(1)).replaceFirst("");
    String[] parts = scope.split("/");
    // The last part is the op (sub, MatMul); the one before it is the layer's own scope.
    return parts.length < 2 ? "" : parts[parts.length - 2];
  }
}
