package dev.lrfinder.cli;

import dev.lrfinder.report.BoundsSource;
import dev.lrfinder.report.FindReportBounds;
import dev.lrfinder.schedule.Schedule;
import dev.lrfinder.schedule.Schedules;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Seed 002's flow on the command line: a cyclical schedule whose {@code min} and {@code max} are
 * the bounds a range test found ({@code train --bounds-from REPORT_DIR}, {@code find
 * --then-train EPOCHS}). The spec gives the schedule and its other keys ({@code step},
 * {@code step_epochs}, {@code gamma}); the bounds give min and max, which the spec must leave out.
 */
final class BoundsFlow {
  /** The schedules that run between two bounds. */
  static final List<String> CYCLICAL = List.of("triangular", "triangular2", "exp_range");
  /** The schedule when the user names none. */
  static final String DEFAULT_SCHEDULE = "triangular";

  private BoundsFlow() {}

  /** The bounds of {@code optimizer} in the find report {@code text} names (--bounds-from). */
  static BoundsSource read(String text, String optimizer) {
    Path dir;
    try {
      dir = Path.of(text);
    } catch (InvalidPathException e) {
      throw new UsageException("--bounds-from '" + text + "' is not a valid path: "
          + e.getReason());
    }
    try {
      return FindReportBounds.read(dir, optimizer);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--bounds-from: " + e.getMessage());
    }
  }

  /**
   * Checks that {@code spec} names a cyclical schedule and leaves min and max to the bounds;
   * {@code option} names the option it came from, for the error.
   */
  static void checkSpec(String option, String spec) {
    String name = spec.split(":", 2)[0].trim().toLowerCase(Locale.ROOT).replace('-', '_');
    if (!CYCLICAL.contains(name)) {
      throw new UsageException(option + " '" + spec + "': the bounds of a range test need a"
          + " cyclical schedule, one of " + String.join(", ", CYCLICAL));
    }
    String keys = spec.contains(":") ? spec.split(":", 2)[1] : "";
    for (String item : keys.split(",")) {
      String key = item.split("=", 2)[0].trim().toLowerCase(Locale.ROOT).replace('-', '_');
      if (key.equals("min") || key.equals("max")) {
        throw new UsageException(option + " '" + spec + "' gives " + key + ", which the range"
            + " test's bounds set; leave min and max out");
      }
    }
  }

  /** The schedule of {@code spec} between {@code bounds} for {@code run}. */
  static Schedule schedule(String option, String spec, Schedules.Run run, BoundsSource bounds) {
    checkSpec(option, spec);
    return Schedules.parse(spec, run, Map.of("min", Double.toString(bounds.base()),
        "max", Double.toString(bounds.max())));
  }
}
