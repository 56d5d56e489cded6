package dev.lrfinder.direct;

import java.util.Objects;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.types.TFloat32;

/**
 * A model's output and, when a final {@code Softmax} or {@code Sigmoid} op computes it, that op's
 * type and input (the logits). tf_keras's crossentropies compute from those logits instead of the
 * probabilities whenever the output comes straight from the matching activation (backend
 * {@code _get_logits}), so the losses need to see through it.
 */
public record ModelOutput(Operand<TFloat32> value, String activation,
    Operand<TFloat32> activationInput) {
  public static final String SOFTMAX = "Softmax";
  public static final String SIGMOID = "Sigmoid";

  public ModelOutput {
    Objects.requireNonNull(value, "value");
    if (activation != null && !activation.equals(SOFTMAX) && !activation.equals(SIGMOID)) {
      throw new IllegalArgumentException("activation must be Softmax, Sigmoid or null: "
          + activation);
    }
    if ((activation == null) != (activationInput == null)) {
      throw new IllegalArgumentException("activation and activationInput go together");
    }
  }

  /**
   * Walks back from {@code output} through {@code Identity}/{@code IdentityN} ops (the boundaries
   * an inlined function call leaves) to a Softmax or Sigmoid op with a float32 input, if any.
   */
  public static ModelOutput of(Operand<TFloat32> output) {
    Output<?> current = output.asOutput();
    while (current.op() instanceof GraphOperation op) {
      switch (op.type()) {
        case "Identity" -> current = op.input(0);
        case "IdentityN" -> current = op.input(current.index());
        case SOFTMAX, SIGMOID -> {
          Output<?> logits = op.input(0);
          return logits.type() == TFloat32.class
              ? new ModelOutput(output, op.type(), logits.expect(TFloat32.class))
              : new ModelOutput(output, null, null);
        }
        default -> {
          return new ModelOutput(output, null, null);
        }
      }
    }
    return new ModelOutput(output, null, null);
  }
}
