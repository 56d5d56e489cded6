package dev.lrfinder.runtime;

import dev.lrfinder.data.DType;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.model.ModelException;
import java.util.Optional;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/** Conversions between {@link HostArray}s and native TensorFlow tensors. */
public final class Tensors {
  private Tensors() {}

  public static Class<? extends TType> typeClass(DType dtype) {
    switch (dtype) {
      case FLOAT32:
        return TFloat32.class;
      case FLOAT64:
        return TFloat64.class;
      case INT32:
        return TInt32.class;
      case INT64:
        return TInt64.class;
      case UINT8:
        return TUint8.class;
      case BOOL:
        return TBool.class;
      case STRING:
        return TString.class;
      default:
        throw new AssertionError(dtype);
    }
  }

  public static Optional<DType> dtypeOf(DataType dataType) {
    switch (dataType) {
      case DT_FLOAT:
        return Optional.of(DType.FLOAT32);
      case DT_DOUBLE:
        return Optional.of(DType.FLOAT64);
      case DT_INT32:
        return Optional.of(DType.INT32);
      case DT_INT64:
        return Optional.of(DType.INT64);
      case DT_UINT8:
        return Optional.of(DType.UINT8);
      case DT_BOOL:
        return Optional.of(DType.BOOL);
      case DT_STRING:
        return Optional.of(DType.STRING);
      default:
        return Optional.empty();
    }
  }

  /** A new native tensor holding a copy of {@code array}; the caller closes it. */
  public static Tensor toTensor(HostArray array) {
    if (array.dtype().isString()) {
      return TString.tensorOfBytes(Shape.of(array.shape()),
          DataBuffers.ofObjects(array.stringElements()));
    }
    return Tensor.of(typeClass(array.dtype()), Shape.of(array.shape()), array.byteSize(),
        t -> array.writeTo(t.asRawTensor().data()));
  }

  /** A copy of a native tensor in Java memory (the tensor stays open). */
  public static HostArray toHost(Tensor tensor) {
    DType dtype = dtypeOf(tensor.dataType()).orElseThrow(() -> new ModelException(
        "tensors of type " + tensor.dataType() + " are not supported"));
    if (dtype.isString()) {
      throw new ModelException("string tensors are fed, never read back, by lrfinder");
    }
    return HostArray.copyOf(dtype, tensor.shape().asArray(), tensor.asRawTensor().data());
  }

  /** The single value of a scalar (or one-element) tensor as a double. */
  public static double scalar(Tensor tensor) {
    if (tensor instanceof TFloat32) {
      return ((TFloat32) tensor).getFloat();
    }
    if (tensor instanceof TFloat64) {
      return ((TFloat64) tensor).getDouble();
    }
    return toHost(tensor).getDouble(0);
  }

  public static Tensor scalarFloat(double value) {
    return TFloat32.scalarOf((float) value);
  }
}
