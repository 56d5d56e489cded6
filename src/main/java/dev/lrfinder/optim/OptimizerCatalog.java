package dev.lrfinder.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The optimizers a model trained by lrfinder's own graph can be given, by key: Keras's defaults
 * for each class, plus the optimizer the model was compiled with, which replaces the default of
 * its key (e.g. a model compiled with {@code Adam(beta_1=0.8)} is tested with that Adam).
 */
public final class OptimizerCatalog {
  /** Keys with Keras's defaults; {@code sgd_momentum} and {@code sgd_nesterov} use momentum 0.9. */
  private static final Map<String, OptimizerConfig> DEFAULTS = defaults();
  /** Used when neither the caller nor the model names an optimizer. */
  public static final List<String> FALLBACK = List.of("sgd", "adam");

  private final Map<String, OptimizerConfig> available;
  private final Optional<String> compiledKey;

  private OptimizerCatalog(Map<String, OptimizerConfig> available, Optional<String> compiledKey) {
    this.available = available;
    this.compiledKey = compiledKey;
  }

  private static Map<String, OptimizerConfig> defaults() {
    Map<String, OptimizerConfig> map = new LinkedHashMap<>();
    map.put("sgd", SgdConfig.defaults());
    map.put("sgd_momentum", new SgdConfig(0.01, 0.9, false, 0.0));
    map.put("sgd_nesterov", new SgdConfig(0.01, 0.9, true, 0.0));
    map.put("rmsprop", RmsPropConfig.defaults());
    map.put("adagrad", AdagradConfig.defaults());
    map.put("adam", AdamConfig.defaults());
    map.put("adamw", AdamWConfig.defaults());
    return map;
  }

  /** The defaults, plus {@code compiled} (a model's own optimizer) under its key when given. */
  public static OptimizerCatalog of(Optional<OptimizerConfig> compiled) {
    Map<String, OptimizerConfig> available = new LinkedHashMap<>(DEFAULTS);
    Optional<String> key = compiled.map(OptimizerCatalog::keyOf);
    compiled.ifPresent(c -> available.put(keyOf(c), c));
    return new OptimizerCatalog(available, key);
  }

  /** This catalog plus {@code configs} by key, replacing entries of the same key. */
  public OptimizerCatalog with(Map<String, OptimizerConfig> configs) {
    Map<String, OptimizerConfig> merged = new LinkedHashMap<>(available);
    merged.putAll(configs);
    return new OptimizerCatalog(merged, compiledKey);
  }

  /** The key a config is listed under: its class, refined by SGD's momentum. */
  static String keyOf(OptimizerConfig config) {
    if (config instanceof SgdConfig sgd && sgd.momentum() > 0) {
      return sgd.nesterov() ? "sgd_nesterov" : "sgd_momentum";
    }
    return config.kerasClassName().toLowerCase(java.util.Locale.ROOT);
  }

  public List<String> keys() {
    return List.copyOf(available.keySet());
  }

  /** The model's own optimizer's key, if it was compiled with one this catalog can build. */
  public Optional<String> compiledKey() {
    return compiledKey;
  }

  /**
   * The configs for {@code keys} in that order; with no keys, the compiled optimizer followed by
   * {@link #FALLBACK}, without repeats.
   *
   * @throws IllegalArgumentException naming an unknown key and the known ones
   */
  public Map<String, OptimizerConfig> select(List<String> keys) {
    List<String> wanted = new ArrayList<>(keys);
    if (wanted.isEmpty()) {
      compiledKey.ifPresent(wanted::add);
      FALLBACK.stream().filter(k -> !wanted.contains(k)).forEach(wanted::add);
    }
    Map<String, OptimizerConfig> selected = new LinkedHashMap<>();
    for (String key : wanted) {
      OptimizerConfig config = available.get(key);
      if (config == null) {
        throw new IllegalArgumentException("unknown optimizer '" + key + "'; choose from "
            + String.join(", ", available.keySet()));
      }
      selected.put(key, config);
    }
    return selected;
  }

  /** A config's hyperparameters by their Keras names (e.g. {@code beta_1}), for display. */
  public static Map<String, Object> settingsOf(OptimizerConfig config) {
    Map<String, Object> settings = new LinkedHashMap<>();
    for (var component : config.getClass().getRecordComponents()) {
      String name = component.getName().replaceAll("([a-z])([A-Z0-9])", "$1_$2")
          .toLowerCase(java.util.Locale.ROOT);
      try {
        settings.put(name, component.getAccessor().invoke(config));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return settings;
  }
}
