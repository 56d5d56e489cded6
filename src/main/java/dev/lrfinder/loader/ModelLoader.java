package dev.lrfinder.loader;

import dev.lrfinder.direct.DirectModel;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.direct.KerasMetadata;
import dev.lrfinder.direct.UnsupportedModelException;
import dev.lrfinder.exported.ExportedModel;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.runtime.SavedModelDirectory;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Opens a SavedModel directory by the path that suits it: the training contract of
 * {@code scripts/export.py} when the directory has one, else direct training of a Keras 2
 * SavedModel. Everything downstream (range test, suggestions, report) only sees
 * {@link TrainableModel}.
 */
public final class ModelLoader {
  private ModelLoader() {}

  /**
   * Which path a directory takes, and why, in words for {@code inspect}; the model it loads
   * describes itself further ({@link TrainableModel#trainingPath()}).
   */
  public record Choice(TrainingPath.Kind kind, String reason) {}

  /**
   * Decides the path without loading anything.
   *
   * @throws ModelException when the directory is neither
   */
  public static Choice choose(Path directory) {
    SavedModelDirectory.require(directory);
    // Present at all decides the path; the path's reader then says what is wrong with the file.
    if (Files.exists(directory.resolve(ModelContract.METADATA_PATH), LinkOption.NOFOLLOW_LINKS)) {
      return new Choice(TrainingPath.Kind.EXPORTED, "it carries lrfinder's training contract ("
          + ModelContract.METADATA_PATH + ")");
    }
    if (Files.exists(directory.resolve("keras_metadata.pb"), LinkOption.NOFOLLOW_LINKS)) {
      return new Choice(TrainingPath.Kind.DIRECT, "a Keras 2 SavedModel (keras_metadata.pb) without"
          + " lrfinder's training contract");
    }
    if (KerasMetadata.inObjectGraph(SavedModelDirectory.savedModel(directory)).isPresent()) {
      return new Choice(TrainingPath.Kind.DIRECT, "a Keras 2 SavedModel from before TensorFlow 2.5"
          + " (its Keras metadata is in saved_model.pb's object graph) without lrfinder's"
          + " training contract");
    }
    throw new ModelException("'" + directory + "' is a SavedModel with neither lrfinder's training"
        + " contract nor Keras 2 metadata; export it with scripts/export.py");
  }

  /**
   * Loads {@code directory}. {@code options} shape the direct path's graph; an exported model
   * carries its own loss and optimizers, so a loss option is refused for it. Both paths first scan
   * the SavedModel's ops unless {@link DirectOptions#trust()} is {@code TRUSTED}.
   *
   * @throws ModelException in one sentence, naming scripts/export.py when direct training
   *     cannot build the model
   */
  public static TrainableModel load(Path directory, DirectOptions options) {
    Choice choice = choose(directory);
    if (choice.kind() == TrainingPath.Kind.EXPORTED) {
      if (options.loss().isPresent()) {
        throw new ModelException("--loss only applies to Keras 2 SavedModels trained directly; '"
            + directory + "' was exported with its loss");
      }
      return ExportedModel.load(directory, options.trust());
    }
    try {
      return DirectModel.load(directory, options);
    } catch (UnsupportedModelException e) {
      throw new ModelException("direct training does not support '" + directory + "': "
          + e.getMessage() + "; export it with scripts/export.py instead", e);
    }
  }
}
