package dev.lrfinder.direct;

import dev.lrfinder.optim.OptimizerConfig;
import dev.lrfinder.safety.ModelTrust;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to build the training graph of a model loaded by the direct path.
 *
 * @param loss replaces the loss of the model's {@code training_config} (required when it has none)
 * @param optimizers optimizer keys of {@link dev.lrfinder.optim.OptimizerCatalog} to build, in
 *     order; empty means the keys of {@code configured}, or when that is empty too the model's
 *     compiled optimizer plus {@code sgd} and {@code adam}
 * @param configured optimizers given as configs, by key; they replace catalog entries of the same
 *     key and add new keys
 * @param trust whether the SavedModel's ops are scanned before anything of it runs (the default,
 *     {@link ModelTrust#SCAN_FIRST}); {@link dev.lrfinder.loader.ModelLoader} applies it to the
 *     exported path too
 * @param seed keys the model's random ops (Dropout masks), with the step and the op: the same
 *     seed gives the same masks, and every optimizer sees the same masks at the same step
 */
public record DirectOptions(Optional<KerasLoss> loss, List<String> optimizers,
    Map<String, OptimizerConfig> configured, ModelTrust trust, long seed) {
  public DirectOptions {
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(trust, "trust");
    optimizers = List.copyOf(optimizers);
    configured = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(configured));
  }

  public DirectOptions(Optional<KerasLoss> loss, List<String> optimizers,
      Map<String, OptimizerConfig> configured) {
    this(loss, optimizers, configured, ModelTrust.SCAN_FIRST, 0);
  }

  public DirectOptions(Optional<KerasLoss> loss, List<String> optimizers) {
    this(loss, optimizers, Map.of());
  }

  public static DirectOptions defaults() {
    return new DirectOptions(Optional.empty(), List.of(), Map.of());
  }

  /** Exactly these optimizers, by key (e.g. to reproduce Keras runs with given settings). */
  public static DirectOptions withOptimizers(Map<String, OptimizerConfig> configured) {
    return new DirectOptions(Optional.empty(), List.of(), configured);
  }

  /** These options with {@code trust} ({@link ModelTrust#TRUSTED}: run the model unscanned). */
  public DirectOptions withTrust(ModelTrust trust) {
    return new DirectOptions(loss, optimizers, configured, trust, seed);
  }

  /** These options with the seed of the model's random ops. */
  public DirectOptions withSeed(long seed) {
    return new DirectOptions(loss, optimizers, configured, trust, seed);
  }
}
