package dev.lrfinder.model;

import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import java.util.Arrays;

/**
 * Name, type and shape of a model input or label; {@code -1} marks a dimension of any size (the
 * batch dimension always is). A label's spec also says which values its loss takes.
 */
public record TensorSpec(String name, DType dtype, long[] shape, LabelValues values) {
  public TensorSpec {
    shape = shape.clone();
  }

  /** A spec whose values are not restricted (an input, or a regression label). */
  public TensorSpec(String name, DType dtype, long[] shape) {
    this(name, dtype, shape, LabelValues.ANY);
  }

  /** This spec with {@code values} as the values its labels may take. */
  public TensorSpec withValues(LabelValues values) {
    return new TensorSpec(name, dtype, shape, values);
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

  /** For example {@code x: uint8[?, 28, 28, 1]} or {@code y: int32[?], class ids 0 to 9}. */
  @Override
  public String toString() {
    String values = this.values.summary();
    return name + ": " + dtype + Arrays.toString(shape).replace("-1", "?")
        + (values.isEmpty() ? "" : ", " + values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec
        && ((TensorSpec) o).name.equals(name)
        && ((TensorSpec) o).dtype == dtype
        && Arrays.equals(((TensorSpec) o).shape, shape)
        && ((TensorSpec) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + values.hashCode();
  }
}
