package dev.lrfinder.model;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

/**
 * The first check of every loader: the path is a directory holding a {@code saved_model.pb} and a
 * complete checkpoint of its variables, each file readable, so that TensorFlow only ever sees
 * files that are whole (and a damaged one is named in words here instead).
 */
public final class SavedModelDirectory {
  /** The checkpoint of a SavedModel's variables, relative to its directory. */
  public static final String VARIABLES_PREFIX = "variables/variables";

  private SavedModelDirectory() {}

  /** @throws ModelException saying, in one sentence, what the path is instead */
  public static void require(Path directory) {
    if (!Files.exists(directory) && !Files.isSymbolicLink(directory)) {
      throw new ModelException("model directory '" + directory + "' does not exist");
    }
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new ModelException("'" + directory + "' is not a directory; give a SavedModel directory");
    }
    ModelFiles.requireDirectory(directory, "a SavedModel directory");
    Path graph = directory.resolve("saved_model.pb");
    if (!Files.exists(graph, LinkOption.NOFOLLOW_LINKS)) {
      throw new ModelException("'" + directory + "' is not a SavedModel (no saved_model.pb)");
    }
    ModelFiles.requireReadableFile(graph, "the SavedModel's graph", false);
    Path variables = directory.resolve("variables");
    if (!Files.exists(variables, LinkOption.NOFOLLOW_LINKS)) {
      throw new ModelException("'" + directory + "' has no variables/ directory: the model's"
          + " weights are missing");
    }
    ModelFiles.requireDirectory(variables, "the directory of the model's weights");
    CheckpointIndex.requireComplete(directory.resolve(VARIABLES_PREFIX));
  }

  /**
   * Parses {@code saved_model.pb} (after {@link #require}) and returns its meta graph tagged
   * {@code tag}.
   *
   * @throws ModelException when the file is not a SavedModel protocol buffer or has no such graph
   */
  public static MetaGraphDef metaGraph(Path directory, String tag) {
    return metaGraph(directory, savedModel(directory), tag);
  }

  /** The meta graph tagged {@code tag} of {@code model}, parsed from {@code directory}. */
  public static MetaGraphDef metaGraph(Path directory, SavedModel model, String tag) {
    Path file = directory.resolve("saved_model.pb");
    return model.getMetaGraphsList().stream()
        .filter(m -> m.getMetaInfoDef().getTagsList().contains(tag))
        .findFirst()
        .orElseThrow(() -> new ModelException("'" + file + "' has no '" + tag + "' meta graph"
            + (model.getMetaGraphsCount() == 0 ? " (it holds no graph at all: truncated or not a"
                + " SavedModel)" : "")));
  }

  /**
   * The parsed {@code saved_model.pb} of {@code directory}.
   *
   * @throws ModelException in words when the file cannot be read or does not parse
   */
  public static SavedModel savedModel(Path directory) {
    Path file = directory.resolve("saved_model.pb");
    try {
      return SavedModel.parseFrom(ModelFiles.readAll(file));
    } catch (InvalidProtocolBufferException e) {
      throw new ModelException("'" + file + "' is truncated or corrupt: it does not parse as a"
          + " SavedModel", e);
    }
  }

  /** The variables' checkpoint does not fit the graph: {@code detail} says which variable. */
  public static ModelException checkpointMismatch(Path directory, String detail) {
    return new ModelException("the checkpoint '" + directory.resolve(VARIABLES_PREFIX)
        + "' does not fit '" + directory.resolve("saved_model.pb") + "': " + detail
        + " (are they from different models?)");
  }
}
