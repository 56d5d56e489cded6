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
 * gradient clipping, EMA, loss scaling, gradient accumulation, learning-rate schedules, Adam's
 * {@code adaptive_epsilon} and unknown keys. Legacy ({@code optimizer_v2}) configs are read
 * (see {@link #read}).
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

  /**
   * An optimizer config and what about it the user should know, one sentence each (e.g. that the
   * legacy {@code decay} is not applied).
   */
  public record Parsed(OptimizerConfig config, List<String> notes) {
    public Parsed {
      notes = List.copyOf(notes);
    }
  }

  /** Parses {@code {"class_name": ..., "config": {...}}}; throws IllegalArgumentException. */
  public static OptimizerConfig fromKeras(Map<String, ?> serialized) {
    return read(serialized).config();
  }

  /**
   * {@link #fromKeras}, with the notes. Legacy (optimizer_v2) configs, recognised by a
   * {@code decay} key (every optimizer_v2 config has one; the current optimizers refuse it), an
   * {@code lr} key (Keras before 2.3) or {@code is_legacy_optimizer=True}, keep their class and
   * settings; RMSprop and Adagrad then use the legacy update (epsilon outside the square root),
   * SGD and Adam have the same update either way. A time decay ({@code decay > 0}: {@code lr / (1
   * + decay * iterations)}) is read but not applied, since lrfinder sets the learning rate at
   * every step, and a note says so.
   */
  public static Parsed read(Map<String, ?> serialized) {
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
    boolean legacy = config.containsKey("decay") || config.containsKey("lr")
        || Boolean.TRUE.equals(config.get("is_legacy_optimizer"));
    double decay = r.number("decay", 0.0);
    if (legacy && canonical.equals("AdamW")) {
      throw new IllegalArgumentException("a legacy AdamW config (decay, lr or"
          + " is_legacy_optimizer) is not one tf_keras writes; lrfinder cannot tell its update");
    }
    double rate = r.learningRate(canonical.equals("SGD") ? 0.01 : 0.001);
    OptimizerConfig result = switch (canonical) {
      case "SGD" -> new SgdConfig(rate, r.number("momentum", 0.0),
          r.bool("nesterov", false), r.number("weight_decay", 0.0));
      case "RMSprop" -> new RmsPropConfig(rate, r.number("rho", 0.9),
          r.number("momentum", 0.0), r.number("epsilon", 1e-7), r.bool("centered", false),
          r.number("weight_decay", 0.0), legacy);
      case "Adagrad" -> new AdagradConfig(rate,
          r.number("initial_accumulator_value", 0.1), r.number("epsilon", 1e-7),
          r.number("weight_decay", 0.0), legacy);
      case "Adam" -> new AdamConfig(rate, r.number("beta_1", 0.9),
          r.number("beta_2", 0.999), r.number("epsilon", 1e-7), r.bool("amsgrad", false),
          r.number("weight_decay", 0.0));
      case "AdamW" -> new AdamWConfig(rate,
          r.requiredNumber("weight_decay", 0.004), r.number("beta_1", 0.9),
          r.number("beta_2", 0.999), r.number("epsilon", 1e-7), r.bool("amsgrad", false));
      default -> throw new AssertionError(canonical);
    };
    r.refuseUnread();
    List<String> notes = decay > 0
        ? List.of("the compiled " + canonical + "'s decay=" + decayText(decay) + " (legacy time decay, lr / (1"
            + " + decay * iterations)) is not applied: lrfinder sets the learning rate at every"
            + " step of the range test; its other settings are kept")
        : List.of();
    return new Parsed(result, notes);
  }

  /** {@code 1e-06}, {@code 1.5e-06}, {@code 0.01}: as Python prints such a decay. */
  private static String decayText(double decay) {
    if (decay >= 1e-4) {
      return java.math.BigDecimal.valueOf(decay).stripTrailingZeros().toPlainString();
    }
    return String.format(java.util.Locale.ROOT, "%.3g", decay).replaceAll("(\\.\\d*?)0+e", "$1e")
        .replace(".e", "e");
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
    }

    /** {@code learning_rate}, or the {@code lr} of Keras before 2.3; both must agree. */
    double learningRate(double fallback) {
      if (config.containsKey("lr") && config.containsKey("learning_rate")
          && !java.util.Objects.equals(config.get("lr"), config.get("learning_rate"))) {
        throw new IllegalArgumentException(className + " has both lr=" + config.get("lr")
            + " and learning_rate=" + config.get("learning_rate") + "; keep one.");
      }
      double lr = number("lr", fallback);
      return config.get("learning_rate") == null ? lr : number("learning_rate", fallback);
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
