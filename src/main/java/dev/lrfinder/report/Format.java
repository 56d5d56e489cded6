package dev.lrfinder.report;

import dev.lrfinder.rangetest.StopReason;
import java.util.Locale;

/** Text forms of numbers and reasons shared by the report's table, HTML and charts. */
final class Format {
  /** Shown where a value is missing. */
  static final String NONE = "-";

  private Format() {}

  /** A learning rate with 2 significant digits, e.g. {@code 3.2e-03}; {@code -} when not finite. */
  static String lr(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1e", value) : NONE;
  }

  /** A loss or other measurement with 4 significant digits; {@code -} when not finite. */
  static String number(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4g", value) : NONE;
  }

  /**
   * A setting as typed: integral values without a fraction ({@code 10}), others in their shortest
   * exact form ({@code 1.0e-7}, {@code 0.98}).
   */
  static String value(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value).replace('E', 'e');
  }

  /**
   * A linear axis tick: up to 6 significant digits without trailing zeros ({@code 0.035},
   * {@code 2.5}, {@code 0}), scientific below 1e-4 and from 1e6 on.
   */
  static String tick(double value) {
    if (value == 0 || !Double.isFinite(value)) {
      return value == 0 ? "0" : NONE;
    }
    java.math.BigDecimal rounded = new java.math.BigDecimal(value)
        .round(new java.math.MathContext(6)).stripTrailingZeros();
    double magnitude = Math.abs(rounded.doubleValue());
    if (magnitude >= 1e-4 && magnitude < 1e6) {
      return rounded.toPlainString();
    }
    return rounded.toString().replace('E', 'e');
  }

  /** A value on a chart with 3 significant digits: {@code 2.3}, {@code 0.0351}, {@code 1.55e13}. */
  static String compact(double value) {
    if (!Double.isFinite(value)) {
      return NONE;
    }
    String text = String.format(Locale.ROOT, "%.3g", value);
    if (text.contains("e")) {
      String[] parts = text.split("e");
      String mantissa = parts[0].contains(".") ? parts[0].replaceAll("0+$", "").replaceAll("\\.$", "")
          : parts[0];
      return mantissa + "e" + Integer.parseInt(parts[1]);
    }
    return new java.math.BigDecimal(text).stripTrailingZeros().toPlainString();
  }

  /**
   * The power of ten a linear axis from {@code min} to {@code max} is labelled in: 0 while its
   * largest magnitude lies in [1e-3, 1e4) (ticks such as {@code 0.035} or {@code 2500} read well),
   * else the exponent of that magnitude, e.g. 13 for 1.36e13 .. 1.41e13.
   */
  static int axisExponent(double min, double max) {
    double magnitude = Math.max(Math.abs(min), Math.abs(max));
    if (!(magnitude > 0) || !Double.isFinite(magnitude) || (magnitude >= 1e-3 && magnitude < 1e4)) {
      return 0;
    }
    return (int) Math.floor(Math.log10(magnitude));
  }

  /** Seconds with one decimal; {@code -} when not finite. */
  static String seconds(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : NONE;
  }

  /** A one- or two-word stop reason for narrow tables and legends. */
  static String stopShort(StopReason reason) {
    switch (reason) {
      case END_OF_RANGE:
        return "end of range";
      case DIVERGED:
        return "diverged";
      case NON_FINITE_LOSS:
        return "NaN loss";
      case LISTENER:
        return "listener";
      case INTERRUPTED:
        return "interrupted";
      case CANCELLED:
        return "cancelled";
      case FAILED:
        return "failed";
      default:
        throw new AssertionError(reason);
    }
  }

  /** {@code text} safe inside HTML element content and double- or single-quoted attributes. */
  static String html(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&':
          out.append("&amp;");
          break;
        case '<':
          out.append("&lt;");
          break;
        case '>':
          out.append("&gt;");
          break;
        case '"':
          out.append("&quot;");
          break;
        case '\'':
          out.append("&#39;");
          break;
        default:
          out.append(c);
      }
    }
    return out.toString();
  }
}
