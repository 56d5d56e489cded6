package dev.lrfinder.optim;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds an {@link OptimizerConfig} from a Keras optimizer serialization such as
 * {@code {"class_name": "Adam", "config": {"learning_rate": 0.001, ...}}} (tf_keras and Keras 3
 * write the same shape). Missing keys take Keras's defaults. Anything this package cannot
 * reproduce exactly is refused with an {@link IllegalArgumentException} rather than ignored:
 * gradient clipping, EMA, loss scaling, gradient accumulation, learning-rate schedules, the
 * legacy ({@code optimizer_v2}) optimizers, Adam's {@code adaptive_epsilon} and unknown keys.
 */
public final class KerasOptimizerConfigs {
  private static final List<String> CLASSES = List.of("SGD", "RMSprop", "Adagrad", "Adam", "AdamW");
  /** Keys with no effect on the math (EMA settings only matter with use_ema, refused below). */
  private static final Set<String> INERT = Set.of(
      "name", "jit_compile", "ema_momentum", "ema_overwrite_frequency", "is_legacy_optimizer");
  /** Options that must be absent, null or false. */
  private static final Set<String> UNSUPPORTED = Set.of("clipnorm", "clipvalue", "global_clipnorm",
      "use_ema", "loss_scale_factor", "gradient_accumulation_steps", "adaptive_epsilon");

  private KerasOptimizerConfigs() {}

  /** Parses {@code {"class_name": ..., "config": {...}}}; throws IllegalArgumentException. */
  public static OptimizerConfig fromKeras(Map<String, ?> serialized) {
    Object className = serialized.get("class_name");
    if (!(className instanceof String name)) {
      throw new IllegalArgumentException(
          "Keras optimizer config has no \"class_name\" string: " + serialized);
    }
    Object rawConfig = serialized.get("config");
    Map<?, ?> config = rawConfig == null ? Map.of() : asMap(rawConfig, "config");
    // tf_keras registers its optimizers as "Custom>Adam" in a SavedModel's training_config.
    String bare = name.substring(name.lastIndexOf('>') + 1);
    String canonical = CLASSES.stream().filter(bare::equalsIgnoreCase).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Unsupported Keras optimizer \"" + name
            + "\"; supported are " + String.join(", ", CLASSES) + "."));
    Reader r = new Reader(canonical, config);
    r.refuseUnsupported();
    OptimizerConfig result = switch (canonical) {
      case "SGD" -> new SgdConfig(r.number("learning_rate", 0.01), r.number("momentum", 0.0),
          r.bool("nesterov", false), r.number("weight_decay", 0.0));
      case "RMSprop" -> new RmsPropConfig(r.number("learning_rate", 0.001), r.number("rho", 0.9),
          r.number("momentum", 0.0), r.number("epsilon", 1e-7), r.bool("centered", false),
          r.number("weight_decay", 0.0));
      case "Adagrad" -> new AdagradConfig(r.number("learning_rate", 0.001),
          r.number("initial_accumulator_value", 0.1), r.number("epsilon", 1e-7),
          r.number("weight_decay", 0.0));
      case "Adam" -> new AdamConfig(r.number("learning_rate", 0.001), r.number("beta_1", 0.9),
          r.number("beta_2", 0.999), r.number("epsilon", 1e-7), r.bool("amsgrad", false),
          r.number("weight_decay", 0.0));
      case "AdamW" -> new AdamWConfig(r.number("learning_rate", 0.001),
          r.requiredNumber("weight_decay", 0.004), r.number("beta_1", 0.9),
          r.number("beta_2", 0.999), r.number("epsilon", 1e-7), r.bool("amsgrad", false));
      default -> throw new AssertionError(canonical);
    };
    r.refuseUnread();
    return result;
  }

  private static Map<?, ?> asMap(Object value, String what) {
    if (value instanceof Map<?, ?> map) {
      return map;
    }
    throw new IllegalArgumentException("Keras optimizer \"" + what + "\" is not an object: " + value);
  }

  /** Typed access to one config map, remembering which keys were used. */
  private static final class Reader {
    private final String className;
    private final Map<?, ?> config;
    private final Set<Object> read = new HashSet<>();

    Reader(String className, Map<?, ?> config) {
      this.className = className;
      this.config = config;
      read.addAll(INERT);
      read.addAll(UNSUPPORTED);
    }

    void refuseUnsupported() {
      for (String key : UNSUPPORTED) {
        Object value = config.get(key);
        if (value != null && !Boolean.FALSE.equals(value)) {
          throw new IllegalArgumentException(className + " option " + key + "=" + value
              + " is not supported by lrfinder's optimizers; remove it or set it to None.");
        }
      }
      if (Boolean.TRUE.equals(config.get("is_legacy_optimizer"))) {
        throw new IllegalArgumentException("Legacy Keras optimizers (is_legacy_optimizer=True) "
            + "are not supported; their update math differs from the current " + className + ".");
      }
    }

    double number(String key, double fallback) {
      read.add(key);
      Object value = config.get(key);
      if (value == null) {
        return fallback;
      }
      if (value instanceof Number n) {
        return n.doubleValue();
      }
      if (value instanceof Map<?, ?>) {
        throw new IllegalArgumentException(className + " " + key + " is a schedule or object ("
            + value + "); only a constant number is supported.");
      }
      throw new IllegalArgumentException(className + " " + key + " must be a number, got " + value);
    }

    double requiredNumber(String key, double fallback) {
      if (config.containsKey(key) && config.get(key) == null) {
        throw new IllegalArgumentException(className + " requires a numeric " + key + ".");
      }
      return number(key, fallback);
    }

    boolean bool(String key, boolean fallback) {
      read.add(key);
      Object value = config.get(key);
      if (value == null) {
        return fallback;
      }
      if (value instanceof Boolean b) {
        return b;
      }
      throw new IllegalArgumentException(className + " " + key + " must be a boolean, got " + value);
    }

    void refuseUnread() {
      for (Object key : config.keySet()) {
        if (!read.contains(key)) {
          throw new IllegalArgumentException("Unknown " + className + " option \"" + key
              + "\"; lrfinder refuses options it cannot reproduce exactly.");
        }
      }
    }
  }
}
