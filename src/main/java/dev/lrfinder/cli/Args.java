package dev.lrfinder.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/** Typed access to option values with one-line errors. */
final class Args {
  private Args() {}

  static int positiveInt(CommandLine line, String option, int fallback) {
    return intAtLeast(line, option, fallback, 1, "a positive integer");
  }

  static int nonNegativeInt(CommandLine line, String option, int fallback) {
    return intAtLeast(line, option, fallback, 0, "an integer >= 0");
  }

  private static int intAtLeast(CommandLine line, String option, int fallback, int minimum,
      String what) {
    String text = line.getOptionValue(option);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= minimum) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + option + " must be " + what + ", got '" + text + "'");
  }

  static long longValue(CommandLine line, String option, long fallback) {
    String text = line.getOptionValue(option);
    try {
      return text == null ? fallback : Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + option + " must be an integer, got '" + text + "'");
    }
  }

  /** A finite non-negative number, or {@code NaN} when the option is absent. */
  static double rate(CommandLine line, String option) {
    String text = line.getOptionValue(option);
    if (text == null) {
      return Double.NaN;
    }
    try {
      double value = Double.parseDouble(text.trim());
      if (!Double.isFinite(value) || value < 0) {
        throw new UsageException("--" + option + " must be a finite number >= 0, got " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + option + " must be a number, got '" + text + "'");
    }
  }

  /**
   * The comma-separated optimizer keys of {@code option} in order, or an empty list when the
   * option is absent; a key named twice is refused (it would run twice into rows that cannot be
   * told apart).
   */
  static List<String> optimizerKeys(CommandLine line, String option) {
    String text = line.getOptionValue(option);
    if (text == null) {
      return List.of();
    }
    List<String> keys = Arrays.stream(text.split(",")).map(String::trim)
        .filter(k -> !k.isEmpty()).toList();
    Set<String> seen = new HashSet<>();
    for (String key : keys) {
      if (!seen.add(key)) {
        throw new UsageException("--" + option + " names '" + key + "' twice; give each"
            + " optimizer once");
      }
    }
    if (keys.isEmpty()) {
      throw new UsageException("--" + option + " names no optimizer, got '" + text + "'");
    }
    return keys;
  }

  /**
   * {@code value} as the help text shows a default: plain for ordinary magnitudes
   * ({@code 10}, {@code 0.98}), else in short scientific notation ({@code 1e-7}).
   */
  static String number(double value) {
    java.math.BigDecimal decimal = java.math.BigDecimal.valueOf(value).stripTrailingZeros();
    double magnitude = Math.abs(value);
    if (value == 0 || (magnitude >= 1e-3 && magnitude < 1e6)) {
      return decimal.toPlainString();
    }
    return decimal.toString().toLowerCase(java.util.Locale.ROOT).replace("e+", "e");
  }

  /** The single positional model directory, or the bundled default when none is given. */
  static Path modelDir(CommandLine line, Console console) {
    if (line.getArgList().size() > 1) {
      throw new UsageException("expected one model directory, got " + line.getArgList());
    }
    return line.getArgList().isEmpty() ? console.defaultModel() : Path.of(line.getArgList().get(0));
  }

  /** The options as given, {@code --name value ...}, for the command line a report records. */
  static String optionsText(CommandLine line) {
    StringBuilder text = new StringBuilder();
    for (Option option : line.getOptions()) {
      text.append("--").append(option.getLongOpt());
      if (option.hasArg()) {
        text.append(' ').append(option.getValue());
      }
      text.append(' ');
    }
    return text.toString().trim();
  }
}
