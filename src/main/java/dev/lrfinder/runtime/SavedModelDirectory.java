package dev.lrfinder.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
          + " weights are missing" + misplacedCheckpoint(directory));
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

  /**
   * Where a SavedModel's checkpoint lies beside {@code saved_model.pb} instead of in {@code
   * variables/} (a copy that flattened the folders), the sentence that says how to lay it out;
   * else "". The files are the user's: lrfinder never moves them itself.
   */
  static String misplacedCheckpoint(Path directory) {
    Path index = directory.resolve("variables.index");
    if (!Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS)) {
      return "";
    }
    List<String> data;
    try (Stream<Path> files = Files.list(directory)) {
      data = files.map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("variables.data-")).sorted().toList();
    } catch (IOException e) {
      data = List.of();
    }
    List<String> names = new ArrayList<>(List.of("variables.index"));
    names.addAll(data);
    return "; its checkpoint (" + String.join(", ", names) + ") lies beside saved_model.pb, but a"
        + " SavedModel keeps it in variables/: move " + (names.size() == 1 ? "it" : "them")
        + " into '" + directory.resolve("variables") + "'";
  }
}
