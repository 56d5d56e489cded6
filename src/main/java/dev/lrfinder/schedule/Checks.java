package dev.lrfinder.schedule;

/** The argument checks the schedules and rules share; each failure is one plain line. */
final class Checks {
  private Checks() {}

  /** A learning rate: finite and &gt;= 0. */
  static double rate(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a learning rate (a finite number >= 0), "
          + "got " + value);
    }
    return value;
  }

  /** Finite and &gt;= 0. */
  static double nonNegative(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
    }
    return value;
  }

  /** Finite and &gt; 0. */
  static double positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number > 0, got " + value);
    }
    return value;
  }

  /** Strictly inside (low, high). */
  static double open(String name, double value, double low, double high) {
    if (!(value > low && value < high)) {
      throw new IllegalArgumentException(name + " must lie strictly between " + low + " and "
          + high + ", got " + value);
    }
    return value;
  }

  /** Finite (any sign). */
  static double finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number, got " + value);
    }
    return value;
  }

  /** At least {@code min}. */
  static long atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
    return value;
  }

  /** A number as a report shows it: {@code 0.01}, {@code 1e-05}, {@code 10}. */
  static String num(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    String text = Double.toString(value);
    int e = text.indexOf('E');
    if (e < 0) {
      return text;
    }
    String mantissa = text.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    return mantissa + "e" + text.substring(e + 1);
  }
}
