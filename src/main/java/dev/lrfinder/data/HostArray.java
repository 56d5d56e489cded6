package dev.lrfinder.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.DoublePredicate;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;

/**
 * An immutable n-dimensional array in Java memory: a type, a shape and little-endian bytes in C
 * order, or for {@link DType#STRING} one byte string (UTF-8 text) per element in C order. The
 * first dimension is the row (sample) dimension.
 */
public final class HostArray {
  private static final byte[] NO_BYTES = new byte[0];
  private final DType dtype;
  private final long[] shape;
  private final byte[] bytes;
  /** The elements of a string array (never handed out); null for every other type. */
  private final byte[][] strings;

  private HostArray(DType dtype, long[] shape, byte[] bytes) {
    this(dtype, shape, bytes, null);
  }

  private HostArray(DType dtype, long[] shape, byte[] bytes, byte[][] strings) {
    this.dtype = dtype;
    this.shape = shape;
    this.bytes = bytes;
    this.strings = strings;
  }

  /** A string array; {@code values} (UTF-8 bytes, one per element) are not copied. */
  public static HostArray ofStrings(long[] shape, byte[][] values) {
    if (elementCount(shape) != values.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
          + elementCount(shape) + " strings, got " + values.length);
    }
    return new HostArray(DType.STRING, shape.clone(), NO_BYTES, values);
  }

  /** A string array of {@code values}, encoded as UTF-8. */
  public static HostArray ofStrings(long[] shape, String... values) {
    byte[][] encoded = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      encoded[i] = values[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return ofStrings(shape, encoded);
  }

  /** Element {@code i} (flat, C order) of a string array as text. */
  public String getString(long i) {
    return new String(stringBytes(i), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A copy of element {@code i} (flat, C order) of a string array, as bytes. */
  public byte[] stringBytes(long i) {
    requireStrings();
    return strings[Math.toIntExact(i)].clone();
  }

  /** Every element of a string array as bytes (copies), in C order, e.g. for a TString tensor. */
  public byte[][] stringElements() {
    requireStrings();
    byte[][] copy = new byte[strings.length][];
    for (int i = 0; i < strings.length; i++) {
      copy[i] = strings[i].clone();
    }
    return copy;
  }

  private void requireStrings() {
    if (strings == null) {
      throw new IllegalStateException("a " + dtype + " array holds no strings");
    }
  }

  private void requireNumbers() {
    if (strings != null) {
      throw new IllegalStateException("a string array holds no numbers");
    }
  }

  /** Wraps {@code bytes} (not copied: the caller hands them over). */
  public static HostArray of(DType dtype, long[] shape, byte[] bytes) {
    if (dtype.isString()) {
      throw new IllegalArgumentException("string arrays are made with ofStrings");
    }
    long expected = elementCount(shape) * dtype.byteSize();
    if (expected != bytes.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected
              + " bytes, got " + bytes.length);
    }
    return new HostArray(dtype, shape.clone(), bytes);
  }

  public static HostArray ofFloats(long[] shape, float... values) {
    ByteBuffer buffer = littleEndian(values.length * 4);
    buffer.asFloatBuffer().put(values);
    return of(DType.FLOAT32, shape, buffer.array());
  }

  public static HostArray ofInts(long[] shape, int... values) {
    ByteBuffer buffer = littleEndian(values.length * 4);
    buffer.asIntBuffer().put(values);
    return of(DType.INT32, shape, buffer.array());
  }

  /** Copies the raw bytes of a tensor (TensorFlow stores host tensors little-endian on x86). */
  public static HostArray copyOf(DType dtype, long[] shape, ByteDataBuffer raw) {
    byte[] bytes = new byte[Math.toIntExact(raw.size())];
    raw.read(bytes);
    return of(dtype, shape, bytes);
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  public long elementCount() {
    return elementCount(shape);
  }

  /** Bytes of data: for a string array, the bytes of its strings (without Java's overhead). */
  public long byteSize() {
    if (strings == null) {
      return bytes.length;
    }
    long total = 0;
    for (byte[] s : strings) {
      total += s.length;
    }
    return total;
  }

  /** The shape without the row dimension. */
  public long[] rowShape() {
    return shape.length == 0 ? new long[0] : Arrays.copyOfRange(shape, 1, shape.length);
  }

  /**
   * Whether each row has shape {@code expected}, where {@code -1} matches any size (the shapes of
   * model inputs without their batch dimension).
   */
  public boolean rowShapeFits(long[] expected) {
    return rowShapeFits(shape, expected);
  }

  /** Whether an array of {@code shape} has rows of shape {@code expected} (see above). */
  static boolean rowShapeFits(long[] shape, long[] expected) {
    if (shape.length != expected.length + 1) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] >= 0 && expected[i] != shape[i + 1]) {
        return false;
      }
    }
    return true;
  }

  /** Writes all bytes into {@code target}, which must hold at least {@link #byteSize()} bytes. */
  public void writeTo(ByteDataBuffer target) {
    requireNumbers();
    target.write(bytes);
  }

  /** Writes all bytes to {@code out}. */
  public void writeTo(java.io.OutputStream out) throws java.io.IOException {
    requireNumbers();
    out.write(bytes);
  }

  /** The element at flat (C-order) index {@code i}, widened to a double. */
  public double getDouble(long i) {
    requireNumbers();
    return read(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), Math.toIntExact(i));
  }

  /**
   * The flat (C-order) index of the first element for which {@code test} holds, or -1: one pass
   * over the bytes, every element widened to a double (exactly, for all types but large int64).
   */
  public long firstIndexWhere(DoublePredicate test) {
    requireNumbers();
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = Math.toIntExact(elementCount());
    switch (dtype) {
      case FLOAT32: {
        FloatBuffer values = b.asFloatBuffer();
        for (int i = 0; i < n; i++) {
          if (test.test(values.get(i))) {
            return i;
          }
        }
        return -1;
      }
      case FLOAT64: {
        DoubleBuffer values = b.asDoubleBuffer();
        for (int i = 0; i < n; i++) {
          if (test.test(values.get(i))) {
            return i;
          }
        }
        return -1;
      }
      default:
        for (int i = 0; i < n; i++) {
          if (test.test(read(b, i))) {
            return i;
          }
        }
        return -1;
    }
  }

  /**
   * The flat index of the first NaN or infinity, or -1 (always -1 for integer types, which hold
   * neither).
   */
  public long firstNonFinite() {
    return dtype.isFloating() ? firstIndexWhere(v -> !Double.isFinite(v)) : -1;
  }

  /** The index in every dimension (row first) of flat C-order index {@code flat}. */
  public long[] indexOf(long flat) {
    long[] index = new long[shape.length];
    long rest = flat;
    for (int d = shape.length - 1; d >= 0; d--) {
      index[d] = shape[d] == 0 ? 0 : rest % shape[d];
      rest = shape[d] == 0 ? rest : rest / shape[d];
    }
    return index;
  }

  private double read(ByteBuffer b, int i) {
    int at = i * dtype.byteSize();
    switch (dtype) {
      case FLOAT32:
        return b.getFloat(at);
      case FLOAT64:
        return b.getDouble(at);
      case INT32:
        return b.getInt(at);
      case INT64:
        return b.getLong(at);
      case UINT8:
        return Byte.toUnsignedInt(b.get(at));
      case BOOL:
        return b.get(at) != 0 ? 1 : 0;
      default:
        throw new AssertionError(dtype);
    }
  }

  /** A new array holding the given rows, in the given order. */
  public HostArray gatherRows(int[] rowIndices) {
    long[] newShape = shape.clone();
    newShape[0] = rowIndices.length;
    if (strings != null) {
      int perRow = Math.toIntExact(strings.length / Math.max(1, rows()));
      byte[][] out = new byte[perRow * rowIndices.length][];
      copyRows(strings, out, perRow, rowIndices);
      return new HostArray(dtype, newShape, NO_BYTES, out);
    }
    int rowBytes = Math.toIntExact(bytes.length / Math.max(1, rows()));
    byte[] out = new byte[rowBytes * rowIndices.length];
    copyRows(bytes, out, rowBytes, rowIndices);
    return new HostArray(dtype, newShape, out);
  }

  /** Copies rows {@code rowIndices} of {@code from} into {@code to}, {@code perRow} items each. */
  private void copyRows(Object from, Object to, int perRow, int[] rowIndices) {
    for (int i = 0; i < rowIndices.length; i++) {
      int row = rowIndices[i];
      if (row < 0 || row >= rows()) {
        throw new IndexOutOfBoundsException("row " + row + " of " + rows());
      }
      System.arraycopy(from, row * perRow, to, i * perRow, perRow);
    }
  }

  /** This array with {@code newShape}, which must hold the same number of elements. */
  public HostArray reshape(long[] newShape) {
    if (elementCount(newShape) != elementCount()) {
      throw new IllegalArgumentException("cannot reshape " + this + " to "
          + Arrays.toString(newShape));
    }
    return new HostArray(dtype, newShape.clone(), bytes, strings);
  }

  /**
   * This array as {@code target} type: shared when equal, else converted element by element.
   * Floats become integers only when integral, and integers are checked for the target's range;
   * a finite float64 too large for float32 is refused rather than made infinite.
   *
   * @param name how messages name this array and its elements
   * @throws DataException when the conversion is not allowed or a value does not fit
   */
  public HostArray convertTo(DType target, ArrayName name) {
    if (target == dtype) {
      return this;
    }
    if (dtype.isString() || target.isString()) {
      throw new DataException(name.whole() + (dtype.isString() ? " holds strings" : " holds "
          + dtype + " numbers") + ", but the model expects " + target
          + (target.isString() ? " (text): save it as strings, e.g. a.astype(str)"
              : ": convert it to numbers first"));
    }
    if (!dtype.canConvertTo(target)) {
      throw new DataException("dtype " + dtype + " of " + name.whole() + " cannot be fed where"
          + " the model expects " + target);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = Math.toIntExact(elementCount());
    ByteBuffer out = littleEndian(Math.toIntExact((long) n * target.byteSize()));
    for (int i = 0; i < n; i++) {
      double value = read(in, i);
      if (!target.isFloating() && dtype.isFloating() && value != Math.rint(value)) {
        throw notConvertible(name, i, value, "which is not an integer (the model expects " + target
            + ")");
      }
      switch (target) {
        case FLOAT32:
          if (Double.isFinite(value) && Float.isInfinite((float) value)) {
            throw notConvertible(name, i, value, "which is too large for float32 (the model's type)");
          }
          out.putFloat((float) value);
          break;
        case FLOAT64:
          out.putDouble(value);
          break;
        case INT32:
          if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw notConvertible(name, i, value, "which does not fit int32 (the model's type)");
          }
          out.putInt((int) value);
          break;
        case INT64:
          if (dtype.isFloating() && Math.abs(value) >= 0x1p63) {
            throw notConvertible(name, i, value, "which does not fit int64 (the model's type)");
          }
          out.putLong((long) value);
          break;
        default:
          throw new DataException(name.whole() + " cannot be converted to " + target);
      }
    }
    return new HostArray(target, shape.clone(), out.array());
  }

  private DataException notConvertible(ArrayName name, long flat, double value, String why) {
    return new DataException(name.element(indexOf(flat)) + " is " + Numbers.plain(value) + ", "
        + why);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostArray
        && ((HostArray) o).dtype == dtype
        && Arrays.equals(((HostArray) o).shape, shape)
        && Arrays.equals(((HostArray) o).bytes, bytes)
        && Arrays.deepEquals(((HostArray) o).strings, strings);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(bytes) + Arrays.deepHashCode(strings);
  }

  @Override
  public String toString() {
    return dtype + Arrays.toString(shape);
  }

  static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static ByteBuffer littleEndian(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
