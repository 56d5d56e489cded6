package dev.lrfinder.optim;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * One float32 model variable to train: its resource handle, the graph operand of its gradient
 * and its static, fully known shape. {@code name} only labels the optimizer's slot variables.
 */
public record TrainableVariable(String name, Operand<? extends TType> handle,
    Operand<TFloat32> gradient, Shape shape) {

  public TrainableVariable {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(gradient, "gradient");
    Objects.requireNonNull(shape, "shape");
    if (shape.isUnknown() || shape.hasUnknownDimension()) {
      throw new IllegalArgumentException(
          "variable '" + name + "' needs a fully known static shape, got " + shape);
    }
  }
}
