package dev.lrfinder.cli;

import dev.lrfinder.direct.DirectModel;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.direct.KerasLoss;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.safety.ModelTrust;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The options of every command that opens a model: {@code --loss} shapes a directly trained
 * model, {@code --trust-model} runs a model whose ops lrfinder's safety scan refuses.
 */
final class ModelOptions {
  private ModelOptions() {}

  static Options addOptions(Options options) {
    return options.addOption(Option.builder().longOpt("loss").hasArg().argName("NAME")
        .desc("loss of a Keras 2 SavedModel trained directly, e.g. sparse_categorical_crossentropy"
            + " or mse (default: its training_config); add :from_logits for logits outputs")
        .build())
        .addOption(Option.builder().longOpt("trust-model")
            .desc("run the model even when it has ops lrfinder refuses (files, network, Python,"
                + " unknown ops; see docs/safety.md): a SavedModel is a program").build());
  }

  /** Whether the user vouches for the model ({@code --trust-model}). */
  static ModelTrust trust(CommandLine line) {
    return line.hasOption("trust-model") ? ModelTrust.TRUSTED : ModelTrust.SCAN_FIRST;
  }

  /**
   * Opens the model by the path that suits it; {@code optimizers} are the keys a directly trained
   * model builds (empty: its compiled optimizer plus sgd and adam).
   */
  static TrainableModel open(CommandLine line, Path modelDir, List<String> optimizers,
      Console console) {
    return open(line, modelDir, optimizers,
        Args.longValue(line, "seed", RangeTestConfig.DEFAULT_SEED), console);
  }

  /**
   * As {@link #open(CommandLine, Path, List, Console)}, a direct model's Dropout seeded by
   * {@code seed}.
   */
  static TrainableModel open(CommandLine line, Path modelDir, List<String> optimizers, long seed,
      Console console) {
    ModelTrust trust = trust(line);
    if (trust == ModelTrust.TRUSTED) {
      console.err().println("lrfinder: note: --trust-model: '" + modelDir
          + "' runs without lrfinder's safety check of its ops");
    }
    return open(line, modelDir, optimizers, console, trust, seed);
  }

  /**
   * Opens a model the caller has just scanned and found safe ({@code inspect}), without a second
   * scan by the loader.
   */
  static TrainableModel openScanned(CommandLine line, Path modelDir, List<String> optimizers,
      Console console) {
    return open(line, modelDir, optimizers, console, ModelTrust.TRUSTED,
        Args.longValue(line, "seed", RangeTestConfig.DEFAULT_SEED));
  }

  private static TrainableModel open(CommandLine line, Path modelDir, List<String> optimizers,
      Console console, ModelTrust trust, long seed) {
    Optional<KerasLoss> loss = line.hasOption("loss")
        ? Optional.of(KerasLoss.parse(line.getOptionValue("loss"))) : Optional.empty();
    TrainableModel model = ModelLoader.load(modelDir,
        new DirectOptions(loss, optimizers).withTrust(trust)
            .withSeed(seed));
    if (model instanceof DirectModel direct) {
      direct.warnings().forEach(w -> console.err().println("lrfinder: note: " + w));
    }
    return model;
  }
}
