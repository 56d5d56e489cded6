package dev.lrfinder.data;

/** Numbers of the user's data as messages show them. */
public final class Numbers {
  private Numbers() {}

  /** {@code 99} for integral values, else Java's shortest exact form ({@code 2.5}, {@code NaN}). */
  public static String plain(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value).replace('E', 'e');
  }
}
