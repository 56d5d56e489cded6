package dev.lrfinder.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** The first check of every loader: the path is a directory holding a {@code saved_model.pb}. */
public final class SavedModelDirectory {
  private SavedModelDirectory() {}

  /** @throws ModelException saying, in one sentence, what the path is instead */
  public static void require(Path directory) {
    if (!Files.exists(directory)) {
      throw new ModelException("model directory '" + directory + "' does not exist");
    }
    if (!Files.isDirectory(directory)) {
      throw new ModelException("'" + directory + "' is not a directory; give a SavedModel directory");
    }
    if (!Files.isRegularFile(directory.resolve("saved_model.pb"))) {
      throw new ModelException("'" + directory + "' is not a SavedModel (no saved_model.pb)");
    }
  }
}
