package dev.lrfinder.report;

import java.util.HashSet;
import java.util.Set;

/** Series names for one chart, made unique (XChart rejects a name used twice). */
final class Names {
  private final Set<String> used = new HashSet<>();

  /** {@code name}, or {@code name (2)}, {@code name (3)}... when it is taken. */
  String unique(String name) {
    String candidate = name;
    for (int n = 2; !used.add(candidate); n++) {
      candidate = name + " (" + n + ")";
    }
    return candidate;
  }
}
