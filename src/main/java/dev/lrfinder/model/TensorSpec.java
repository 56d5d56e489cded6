package dev.lrfinder.model;

import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import java.util.Arrays;

/**
 * Name, type and shape of a model input or label; {@code -1} marks a dimension of any size (the
 * batch dimension always is). A label's spec also says which values its loss takes.
 *
 * @param name the signature argument it is fed as ({@code x}, {@code x_user_id}, {@code y_age})
 * @param key the Keras input or output name the user knows it by (data arrays and CSV columns
 *     are matched by it); the same as {@code name} where the model does not say
 */
public record TensorSpec(String name, String key, DType dtype, long[] shape, LabelValues values) {
  public TensorSpec {
    shape = shape.clone();
  }

  /** A spec whose values are not restricted (an input, or a regression label), keyed by name. */
  public TensorSpec(String name, DType dtype, long[] shape) {
    this(name, name, dtype, shape, LabelValues.ANY);
  }

  /** A spec keyed by its name. */
  public TensorSpec(String name, DType dtype, long[] shape, LabelValues values) {
    this(name, name, dtype, shape, values);
  }

  /** This spec with {@code values} as the values its labels may take. */
  public TensorSpec withValues(LabelValues values) {
    return new TensorSpec(name, key, dtype, shape, values);
  }

  /** This spec with key {@code key}. */
  public TensorSpec withKey(String key) {
    return new TensorSpec(name, key, dtype, shape, values);
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
        && ((TensorSpec) o).key.equals(key)
        && ((TensorSpec) o).dtype == dtype
        && Arrays.equals(((TensorSpec) o).shape, shape)
        && ((TensorSpec) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + values.hashCode();
  }
}
