package dev.lrfinder.runtime;

import dev.lrfinder.model.ModelException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TensorFlow's error while it loads a SavedModel or restores a checkpoint, told as one sentence
 * for the command line. TensorFlow's own text (op and function names, {@code [[{{function_node}}]]}
 * traces) never reaches the sentence; {@code --debug} shows it with the cause's stack trace. The
 * file checks of {@link SavedModelDirectory} catch most damage before TensorFlow sees the files,
 * so this is the boundary's second line of defence.
 */
public final class LoadFailure {
  private LoadFailure() {}

  /** A class of TensorFlow error message and what it means for the user's files. */
  private record Cause(Pattern message, Function<Matcher, String> words) {
    static Cause of(String regex, String words) {
      return new Cause(Pattern.compile(regex), m -> words);
    }
  }

  private static final String DIFFERENT_MODELS =
      " (are saved_model.pb and variables/ from different models?)";

  // First match wins: the specific checkpoint mismatches before the generic "not found".
  private static final List<Cause> CAUSES = List.of(
      new Cause(Pattern.compile("Key (\\S+) not found in checkpoint"), m -> "its checkpoint"
          + " lacks the variable '" + m.group(1) + "' that its graph restores" + DIFFERENT_MODELS),
      new Cause(Pattern.compile("tensor_name = (\\S+); expected dtype (\\w+) does not equal"
          + " original dtype (\\w+)"), m -> "variable '" + m.group(1) + "' is " + m.group(3)
          + " in its checkpoint and " + m.group(2) + " in its graph" + DIFFERENT_MODELS),
      new Cause(Pattern.compile("(?i)shape.{0,80}(?:incompatible|does not match|mismatch)"),
          m -> "a variable's shape in its checkpoint differs from its graph's"
              + DIFFERENT_MODELS),
      new Cause(Pattern.compile("TensorBundle at (\\S+) shard (\\d+).{0,40}Checksum does not"
          + " match"), m -> "'" + dataFile(m.group(1), Integer.parseInt(m.group(2)))
          + "' is corrupt: a tensor's bytes fail their checksum"),
      new Cause(Pattern.compile("Op type not registered '(\\w+)'"), m -> "its graph uses the op '"
          + m.group(1) + "', which this TensorFlow does not have (saved by a newer TensorFlow,"
          + " or with a custom op)"),
      Cause.of("(?i)Read less bytes than requested|truncated|unexpected end",
          "a file is truncated"),
      Cause.of("(?i)checksum does not match|corrupt|not an sstable|bad magic|data loss"
          + "|could not parse|failed to parse|error parsing", "a file is corrupt"),
      Cause.of("Permission denied", "permission denied"),
      Cause.of("Too many levels of symbolic links", "a symbolic link loops"),
      Cause.of("Is a directory", "a directory stands where a file should"),
      Cause.of("No such file or directory|Failed to find any matching files|(?i)not found",
          "a file is missing"));

  /**
   * @param action what failed, completing {@code "cannot ... '<directory>'"}: "load the SavedModel",
   *     "restore the weights of"
   * @param directory the model directory; a path under it in TensorFlow's message is named
   */
  public static ModelException of(String action, Path directory, RuntimeException tensorflow) {
    String message = tensorflow.getMessage() == null ? "" : tensorflow.getMessage();
    String cause = null;
    for (Cause c : CAUSES) {
      Matcher found = c.message().matcher(message);
      if (found.find()) {
        cause = c.words().apply(found);
        break;
      }
    }
    if (cause == null) {
      cause = "TensorFlow rejects its files (run with --debug to see TensorFlow's message)";
    }
    String file = cause.contains(directory.toString()) ? null : fileIn(message, directory);
    String where = file == null ? "" : " ('" + file + "')";
    return new ModelException("cannot " + action + " '" + directory + "': " + cause + where,
        tensorflow);
  }

  /** The name of data file {@code shard} of the checkpoint at {@code prefix}, as its index says. */
  private static String dataFile(String prefix, int shard) {
    Path at = Path.of(prefix);
    try {
      return CheckpointIndex.read(CheckpointIndex.indexFile(at))
          .map(index -> CheckpointIndex.dataFile(at, shard, index.shardCount()).toString())
          .orElse(prefix + " (data file " + shard + ")");
    } catch (ModelException e) {
      return prefix + " (data file " + shard + ")";
    }
  }

  /** The first path under {@code directory} that {@code message} mentions, if any. */
  private static String fileIn(String message, Path directory) {
    Matcher path = Pattern.compile(Pattern.quote(directory.toString()) + "[^\\s;:,'\"\\]]*")
        .matcher(message);
    return path.find() ? path.group() : null;
  }
}
