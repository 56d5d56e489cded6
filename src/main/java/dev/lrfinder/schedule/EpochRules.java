package dev.lrfinder.schedule;

import java.util.List;
import java.util.OptionalDouble;

/**
 * Reads the epoch rules of the command line (docs/schedules.md): {@code
 * plateau:monitor=val_loss,factor=0.1,patience=10,min_delta=1e-4,cooldown=0,min_lr=0,mode=auto}
 * and {@code early_stopping:monitor=val_loss,patience=0,min_delta=0,mode=auto,baseline=..,
 * restore_best_weights=false,start_from_epoch=0}; keys left out take Keras's defaults, and the
 * name may be left out ({@code patience=5}). Errors are one-line {@link IllegalArgumentException}s.
 */
public final class EpochRules {
  private static final List<String> PLATEAU_KEYS = List.of("monitor", "factor", "patience",
      "min_delta", "cooldown", "min_lr", "mode");
  private static final List<String> STOPPING_KEYS = List.of("monitor", "min_delta", "patience",
      "mode", "baseline", "restore_best_weights", "start_from_epoch");

  private EpochRules() {}

  /** A {@link ReduceLROnPlateau} from {@code plateau[:key=value,...]}. */
  public static ReduceLROnPlateau parsePlateau(String spec) {
    Spec s = Spec.parse("plateau", spec, "plateau");
    if (!s.name().equals("plateau") && !s.name().equals("reduce_lr_on_plateau")) {
      throw new IllegalArgumentException("plateau: unknown rule '" + s.name()
          + "'; write plateau:key=value,... with keys " + String.join(", ", PLATEAU_KEYS));
    }
    s.onlyKeys(PLATEAU_KEYS);
    ReduceLROnPlateau defaults = ReduceLROnPlateau.keras();
    try {
      return new ReduceLROnPlateau(s.values().getOrDefault("monitor", defaults.monitor()),
          s.number("factor", defaults.factor()), whole(s, "patience", defaults.patience()),
          s.number("min_delta", defaults.minDelta()), whole(s, "cooldown", defaults.cooldown()),
          s.number("min_lr", defaults.minLr()),
          MonitorMode.of(s.choice("mode", "auto", MonitorMode.NAMES)));
    } catch (IllegalArgumentException e) {
      throw prefixed(s, e);
    }
  }

  /**
   * The plateau spec {@code spec} with {@code key} set to {@code value}, as text ({@code
   * plateau:patience=5,factor=0.1} with patience 10 is {@code plateau:patience=10,factor=0.1}):
   * a sweep varies one key of a base rule this way.
   */
  public static String plateauWithSetting(String spec, String key, String value) {
    Spec s = Spec.parse("plateau", spec, "plateau");
    java.util.Map<String, String> values = new java.util.LinkedHashMap<>(s.values());
    values.put(key, value);
    StringBuilder text = new StringBuilder(s.name());
    String separator = ":";
    for (java.util.Map.Entry<String, String> item : values.entrySet()) {
      text.append(separator).append(item.getKey()).append('=').append(item.getValue());
      separator = ",";
    }
    return text.toString();
  }

  /** An {@link EarlyStopping} from {@code early_stopping[:key=value,...]}. */
  public static EarlyStopping parseEarlyStopping(String spec) {
    Spec s = Spec.parse("early_stopping", spec, "early_stopping");
    if (!s.name().equals("early_stopping")) {
      throw new IllegalArgumentException("early_stopping: unknown rule '" + s.name()
          + "'; write early_stopping:key=value,... with keys " + String.join(", ", STOPPING_KEYS));
    }
    s.onlyKeys(STOPPING_KEYS);
    EarlyStopping defaults = EarlyStopping.keras();
    try {
      return new EarlyStopping(s.values().getOrDefault("monitor", defaults.monitor()),
          s.number("min_delta", defaults.minDelta()), whole(s, "patience", defaults.patience()),
          MonitorMode.of(s.choice("mode", "auto", MonitorMode.NAMES)),
          s.has("baseline") ? OptionalDouble.of(s.number("baseline")) : OptionalDouble.empty(),
          s.flag("restore_best_weights", false),
          whole(s, "start_from_epoch", defaults.startFromEpoch()));
    } catch (IllegalArgumentException e) {
      throw prefixed(s, e);
    }
  }

  private static int whole(Spec s, String key, int fallback) {
    return (int) Math.min(s.whole(key, fallback, 0), Integer.MAX_VALUE);
  }

  private static IllegalArgumentException prefixed(Spec s, IllegalArgumentException e) {
    String message = e.getMessage();
    return message.startsWith(s.kind()) ? e
        : new IllegalArgumentException(s.prefix() + message, e);
  }
}
