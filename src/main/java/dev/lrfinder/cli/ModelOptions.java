package dev.lrfinder.cli;

import dev.lrfinder.direct.DirectModel;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.direct.KerasLoss;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.TrainableModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** The option that shapes a directly trained model ({@code --loss}) and opening the model. */
final class ModelOptions {
  private ModelOptions() {}

  static Options addOptions(Options options) {
    return options.addOption(Option.builder().longOpt("loss").hasArg().argName("NAME")
        .desc("loss of a Keras 2 SavedModel trained directly, e.g. sparse_categorical_crossentropy"
            + " or mse (default: its training_config); add :from_logits for logits outputs")
        .build());
  }

  /**
   * Opens the model by the path that suits it; {@code optimizers} are the keys a directly trained
   * model builds (empty: its compiled optimizer plus sgd and adam).
   */
  static TrainableModel open(CommandLine line, Path modelDir, List<String> optimizers,
      Console console) {
    Optional<KerasLoss> loss = line.hasOption("loss")
        ? Optional.of(KerasLoss.parse(line.getOptionValue("loss"))) : Optional.empty();
    TrainableModel model = ModelLoader.load(modelDir, new DirectOptions(loss, optimizers));
    if (model instanceof DirectModel direct) {
      direct.warnings().forEach(w -> console.err().println("lrfinder: note: " + w));
    }
    return model;
  }
}
