package dev.lrfinder.data;

import java.util.Locale;

/**
 * Memory that loading data may still take, checked before arrays are allocated so that a file
 * too large for the heap is refused in words instead of ending in an OutOfMemoryError.
 */
public interface MemoryBudget {
  /** Bytes that may still be allocated. */
  long available();

  /** Gives back memory that is free but not yet counted as such (the heap's garbage). */
  default void settle() {}

  /**
   * Throws a DataException naming {@code what} and both sizes unless {@code bytes} fit.
   *
   * @param what what needs the memory, e.g. {@code x_train in 'data.npz'}
   */
  default void require(long bytes, String what) {
    if (bytes <= available()) {
      return;
    }
    settle();
    long left = available();
    if (bytes > left) {
      throw new DataException(what + " needs " + size(bytes) + " of memory; the JVM has "
          + size(Math.max(0, left)) + " to spare: raise its heap limit, e.g. LRFINDER_JAVA_OPTS=-Xmx"
          + Math.max(2, (long) Math.ceil(2.0 * bytes / (1L << 30))) + "g");
    }
  }

  /**
   * What this JVM's heap can still give to data: its limit ({@code -Xmx}) minus what is in use,
   * minus a reserve for everything else a run allocates (batches, results, the report).
   */
  static MemoryBudget heap() {
    return new Heap();
  }

  /** A fixed number of bytes (for tests and callers with their own limit). */
  static MemoryBudget fixed(long bytes) {
    return () -> bytes;
  }

  /** {@code bytes} in decimal units with two significant digits, e.g. {@code 5.8 GB}. */
  static String size(long bytes) {
    String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
    double value = bytes;
    int unit = 0;
    while (Math.abs(value) >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    if (unit == 0) {
      return bytes + " bytes";
    }
    return String.format(Locale.ROOT, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
  }

  /** The running JVM's heap. */
  final class Heap implements MemoryBudget {
    /** The reserve: a tenth of the heap, at most 256 MiB. */
    private static final long MAX_RESERVE = 256L << 20;

    @Override
    public long available() {
      Runtime runtime = Runtime.getRuntime();
      long reserve = Math.min(runtime.maxMemory() / 10, MAX_RESERVE);
      return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory()) - reserve;
    }

    /** Only on the way to a refusal: garbage counts as used until a collection frees it. */
    @Override
    public void settle() {
      System.gc();
    }
  }
}
