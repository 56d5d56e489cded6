package dev.lrfinder.direct;

import dev.lrfinder.optim.OptimizerConfig;
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
 */
public record DirectOptions(Optional<KerasLoss> loss, List<String> optimizers,
    Map<String, OptimizerConfig> configured) {
  public DirectOptions {
    Objects.requireNonNull(loss, "loss");
    optimizers = List.copyOf(optimizers);
    configured = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(configured));
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
}
