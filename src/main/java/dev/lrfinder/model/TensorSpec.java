package dev.lrfinder.model;

import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import java.util.Arrays;

/**
 * Name, type and shape of a model input or label; {@code -1} marks a dimension of any size (the
 * batch dimension always is).
 */
public record TensorSpec(String name, DType dtype, long[] shape) {
  public TensorSpec {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The shape of one sample: the shape without its leading batch dimension. */
  public long[] rowShape() {
    return shape.length == 0 ? shape.clone() : Arrays.copyOfRange(shape, 1, shape.length);
  }

  /** Throws IllegalArgumentException unless {@code array} has this dtype and row shape. */
  public void requireFits(HostArray array) {
    if (array.dtype() != dtype || !array.rowShapeFits(rowShape())) {
      throw new IllegalArgumentException("'" + name + "' expects " + this + " but got "
          + array.dtype() + Arrays.toString(array.shape()));
    }
  }

  /** For example {@code x: uint8[?, 28, 28, 1]}. */
  @Override
  public String toString() {
    return name + ": " + dtype + Arrays.toString(shape).replace("-1", "?");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec
        && ((TensorSpec) o).name.equals(name)
        && ((TensorSpec) o).dtype == dtype
        && Arrays.equals(((TensorSpec) o).shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
