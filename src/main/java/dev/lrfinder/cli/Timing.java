package dev.lrfinder.cli;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Wall-clock marks of one command run, printed as one line on stderr at the end when
 * {@code LRFINDER_TIMING=1} (for {@code tools/bench/bench_report.py}):
 * {@code lrfinder: timing {"jvm_start": 1764600000123, "main": ..., ...}}, epoch milliseconds, so
 * a caller can set them against the time it started the launcher. Off, it records nothing.
 */
final class Timing {
  /** The environment variable that turns the line on. */
  static final String VARIABLE = "LRFINDER_TIMING";

  private final boolean enabled;
  private final Map<String, Long> marks = new LinkedHashMap<>();

  private Timing(boolean enabled) {
    this.enabled = enabled;
    if (enabled) {
      marks.put("jvm_start", ManagementFactory.getRuntimeMXBean().getStartTime());
    }
  }

  /** On when {@code LRFINDER_TIMING=1} in {@code environment}. */
  static Timing of(Map<String, String> environment) {
    return new Timing("1".equals(environment.get(VARIABLE)));
  }

  /** Records that {@code event} happened now (the first time only). Safe from any thread. */
  void mark(String event) {
    if (enabled) {
      long now = System.currentTimeMillis();
      synchronized (marks) {
        marks.putIfAbsent(event, now);
      }
    }
  }

  /** Prints the marks when enabled. */
  void print(PrintStream err) {
    if (!enabled) {
      return;
    }
    String json;
    synchronized (marks) {
      json = marks.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
          .collect(Collectors.joining(", ", "{", "}"));
    }
    err.println("lrfinder: timing " + json);
  }
}
