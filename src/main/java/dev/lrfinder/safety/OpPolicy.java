package dev.lrfinder.safety;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which op types lrfinder runs, read from the committed list {@code op-policy.txt} beside this
 * class: the allow-list, the checkpoint ops allowed only in a SavedModel's own saver, and the
 * well-known refused ops with the reason. An op type on no list is refused.
 */
public final class OpPolicy {
  /** The section of {@code op-policy.txt} an op type is listed in. */
  public enum Rule { ALLOWED, SAVER, FILES, NETWORK, PYTHON }

  private static final String RESOURCE = "op-policy.txt";

  private final Map<String, Rule> rules;

  private OpPolicy(Map<String, Rule> rules) {
    this.rules = Collections.unmodifiableMap(rules);
  }

  /** The policy committed with lrfinder. */
  public static OpPolicy bundled() {
    try (InputStream in = OpPolicy.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses the policy's text: {@code [section]} headers ({@code allowed}, {@code saver},
   * {@code files}, {@code network}, {@code python}), one op type per line, {@code #} comments.
   *
   * @throws IllegalArgumentException for an unknown section, an op before any section or an op
   *     listed twice
   */
  static OpPolicy parse(String text) {
    Map<String, Rule> rules = new HashMap<>();
    Rule section = null;
    try (BufferedReader reader = new BufferedReader(new java.io.StringReader(text))) {
      int number = 0;
      for (String raw; (raw = reader.readLine()) != null; ) {
        number++;
        int hash = raw.indexOf('#');
        String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
        if (line.isEmpty()) {
          continue;
        }
        if (line.startsWith("[") && line.endsWith("]")) {
          section = sectionRule(line.substring(1, line.length() - 1), number);
        } else if (section == null) {
          throw new IllegalArgumentException("line " + number + ": op '" + line
              + "' before any section");
        } else if (rules.put(line, section) != null) {
          throw new IllegalArgumentException("line " + number + ": op '" + line
              + "' is listed twice");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new OpPolicy(rules);
  }

  private static Rule sectionRule(String name, int number) {
    try {
      return Rule.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("line " + number + ": unknown section [" + name + "]");
    }
  }

  /** The rule of {@code opType}; empty when it is on no list (refused as unknown). */
  public Optional<Rule> rule(String opType) {
    return Optional.ofNullable(rules.get(opType));
  }

  /** Every listed op type with its rule. */
  public Map<String, Rule> rules() {
    return rules;
  }
}
