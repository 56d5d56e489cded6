package dev.lrfinder.bench;

import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.TrainableModel;
import java.nio.file.Path;

/** The training split of the {@code <model-dir>.npz} beside a bundled model, in the model's types. */
final class BundledData {
  private BundledData() {}

  static Dataset train(TrainableModel model, Path modelDir) {
    Path normalized = modelDir.toAbsolutePath().normalize();
    Path file = normalized.resolveSibling(normalized.getFileName() + ".npz");
    return model.conform(Dataset.load(file, "train", "label"));
  }
}
