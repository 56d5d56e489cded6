package dev.lrfinder.schedule;

import java.util.List;
import java.util.Locale;

/** Whether a monitored quantity improves by going down ({@code min}) or up ({@code max}). */
public enum MonitorMode {
  /** Inferred from the monitor's name, each rule as its Keras callback infers it. */
  AUTO,
  /** Lower is better (losses, errors). */
  MIN,
  /** Higher is better (accuracy). */
  MAX;

  /** The spec names. */
  static final List<String> NAMES = List.of("auto", "min", "max");

  static MonitorMode of(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  String specName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
