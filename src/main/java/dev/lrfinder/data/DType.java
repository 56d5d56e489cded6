package dev.lrfinder.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Element types lrfinder moves between files, Java and TensorFlow. Bytes are little-endian. */
public enum DType {
  FLOAT32("float32", "<f4", 4, true),
  FLOAT64("float64", "<f8", 8, true),
  INT32("int32", "<i4", 4, false),
  INT64("int64", "<i8", 8, false),
  UINT8("uint8", "|u1", 1, false),
  BOOL("bool", "|b1", 1, false),
  /**
   * TensorFlow string tensors ({@code TString}): each element a byte string (UTF-8 text), of no
   * fixed size, read from numpy's {@code <U..} and {@code |S..} arrays and CSV cells.
   */
  STRING("string", "<U", 0, false);

  private final String label;
  private final String npyDescr;
  private final int byteSize;
  private final boolean floating;

  DType(String label, String npyDescr, int byteSize, boolean floating) {
    this.label = label;
    this.npyDescr = npyDescr;
    this.byteSize = byteSize;
    this.floating = floating;
  }

  /** The numpy/Keras name, e.g. {@code float32}. */
  public String label() {
    return label;
  }

  /** The numpy {@code descr} string, e.g. {@code <f4}. */
  public String npyDescr() {
    return npyDescr;
  }

  /** Bytes per element; 0 for {@link #STRING}, whose elements have no fixed size. */
  public int byteSize() {
    return byteSize;
  }

  public boolean isString() {
    return this == STRING;
  }

  public boolean isFloating() {
    return floating;
  }

  /**
   * Whether data of this type may be fed where {@code target} is expected: the same type, any
   * number into a float (as Keras does), and any number into int32 or int64 (floats only when
   * integral and integers only when in range, which conversion checks value by value).
   */
  public boolean canConvertTo(DType target) {
    return this == target
        || (target != BOOL && target != UINT8 && !target.isString() && !isString());
  }

  public static Optional<DType> fromLabel(String label) {
    String lowered = label.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(t -> t.label.equals(lowered)).findFirst();
  }

  /**
   * Parses a numpy descr; {@code =} and {@code <} mean little-endian here, {@code |} no order.
   * Fixed-width text ({@code <U8}, UTF-32) and bytes ({@code |S8}) are {@link #STRING}.
   */
  public static Optional<DType> fromNpyDescr(String descr) {
    String normalized = descr.replace('=', '<');
    if (normalized.matches("(<U|\\|S|\\|U)\\d+")) {
      return Optional.of(STRING);
    }
    if (normalized.equals("|u1") || normalized.equals("<u1")) {
      return Optional.of(UINT8);
    }
    if (normalized.equals("|b1") || normalized.equals("<b1")) {
      return Optional.of(BOOL);
    }
    return Arrays.stream(values()).filter(t -> !t.isString() && t.npyDescr.equals(normalized))
        .findFirst();
  }

  @Override
  public String toString() {
    return label;
  }
}
