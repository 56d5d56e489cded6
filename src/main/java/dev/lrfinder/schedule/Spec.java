package dev.lrfinder.schedule;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One parsed spec {@code NAME[:key=value,...]}: the name and its settings, with typed reads that
 * fail with one plain line naming the setting and what it accepts. Package-private: the parsers of
 * {@link Schedules} and {@link EpochRules} share it.
 */
record Spec(String kind, String name, Map<String, String> values) {

  Spec {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /**
   * Splits {@code text}; {@code kind} ("schedule", "plateau"...) prefixes every error. A text
   * without {@code ':'} that holds {@code '='} is settings alone, named {@code defaultName}.
   */
  static Spec parse(String kind, String text, String defaultName) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(kind + ": the spec is empty; write NAME[:key=value,...]");
    }
    String trimmed = text.strip();
    int colon = trimmed.indexOf(':');
    String name;
    String rest;
    if (colon >= 0) {
      name = trimmed.substring(0, colon).strip();
      rest = trimmed.substring(colon + 1);
    } else if (trimmed.contains("=") && defaultName != null) {
      name = defaultName;
      rest = trimmed;
    } else {
      name = trimmed;
      rest = "";
    }
    name = name.toLowerCase(Locale.ROOT).replace('-', '_');
    Map<String, String> values = new LinkedHashMap<>();
    if (!rest.isBlank()) {
      for (String part : rest.split(",", -1)) {
        String item = part.strip();
        int eq = item.indexOf('=');
        if (eq <= 0 || eq == item.length() - 1) {
          throw new IllegalArgumentException(kind + " " + name + ": '" + item
              + "' is not key=value; write " + name + ":key=value,key=value");
        }
        String key = item.substring(0, eq).strip().toLowerCase(Locale.ROOT).replace('-', '_');
        String value = item.substring(eq + 1).strip();
        if (values.put(key, value) != null) {
          throw new IllegalArgumentException(kind + " " + name + ": " + key + " is given twice");
        }
      }
    }
    return new Spec(kind, name, values);
  }

  /** Fails on a key outside {@code accepted}, listing them. */
  Spec onlyKeys(List<String> accepted) {
    Set<String> keys = values.keySet();
    for (String key : keys) {
      if (!accepted.contains(key)) {
        throw new IllegalArgumentException(prefix() + "unknown key '" + key + "'; accepted: "
            + (accepted.isEmpty() ? "none" : String.join(", ", accepted)));
      }
    }
    return this;
  }

  /** The same spec with {@code fallback}'s keys added where this one lacks them. */
  Spec withFallback(Map<String, String> fallback) {
    Map<String, String> merged = new LinkedHashMap<>(values);
    fallback.forEach(merged::putIfAbsent);
    return new Spec(kind, name, merged);
  }

  String prefix() {
    return kind.equals(name) ? kind + ": " : kind + " " + name + ": ";
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  /** A finite number; {@code fallback} when absent. */
  double number(String key, double fallback) {
    return has(key) ? number(key) : fallback;
  }

  /** A finite number that must be given. */
  double number(String key) {
    String text = required(key);
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(prefix() + key + " must be a number, got '" + text + "'");
    }
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(prefix() + key + " must be a finite number, got '" + text
          + "'");
    }
    return value;
  }

  /** A whole number &gt;= {@code min}; {@code fallback} when absent. */
  long whole(String key, long fallback, long min) {
    if (!has(key)) {
      return fallback;
    }
    String text = values.get(key);
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(prefix() + key + " must be a whole number, got '" + text
          + "'");
    }
    if (value < min) {
      throw new IllegalArgumentException(prefix() + key + " must be >= " + min + ", got " + text);
    }
    return value;
  }

  /** {@code true}/{@code false}; {@code fallback} when absent. */
  boolean flag(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    String text = values.get(key).toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(prefix() + key + " must be true or false, got '"
          + values.get(key) + "'");
    };
  }

  /** One of {@code accepted}; {@code fallback} when absent. */
  String choice(String key, String fallback, List<String> accepted) {
    if (!has(key)) {
      return fallback;
    }
    String text = values.get(key).toLowerCase(Locale.ROOT);
    if (!accepted.contains(text)) {
      throw new IllegalArgumentException(prefix() + key + " must be one of "
          + String.join(", ", accepted) + ", got '" + values.get(key) + "'");
    }
    return text;
  }

  /** The raw text of a key that must be given. */
  String required(String key) {
    String text = values.get(key);
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(prefix() + key + " is required");
    }
    return text;
  }
}
