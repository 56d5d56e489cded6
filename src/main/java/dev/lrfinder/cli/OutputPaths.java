package dev.lrfinder.cli;

import dev.lrfinder.io.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;

/**
 * Where {@code find} writes, checked before anything is loaded or written: the report directory
 * ({@code --out}, or one under the reports root) and the {@code --batch-order} file. Nothing is
 * ever written inside the model directory (symbolic links resolved), an existing file is never
 * replaced, and the batch-order file stays out of the report directory, which must hold the
 * report alone.
 *
 * @param out the explicit report directory, or {@code null} for one under {@code reportsRoot}
 * @param batchOrder the batch-order file, or {@code null} when none is asked for
 */
record OutputPaths(Path reportsRoot, Path out, Path batchOrder) {

  static OutputPaths check(CommandLine line, Path modelDir, Path reportsRoot) {
    Path out = path(line, "out");
    Path batchOrder = path(line, "batch-order");
    Path model = Files.isDirectory(modelDir) ? real(modelDir) : null; // else the loader refuses it
    if (out != null) {
      refuseInside(model, out, "--out '" + out + "'");
      checkDirectoryIsFree(out);
    } else {
      refuseInside(model, reportsRoot, "the reports directory '" + reportsRoot
          + "' (choose another with --out)");
    }
    if (batchOrder != null) {
      if (Files.exists(batchOrder, LinkOption.NOFOLLOW_LINKS)) {
        throw new UsageException("--batch-order '" + batchOrder + "' already exists; lrfinder"
            + " never overwrites files, so name a new one");
      }
      refuseInside(model, batchOrder, "--batch-order '" + batchOrder + "'");
      if (out != null && real(batchOrder).startsWith(real(out))) {
        throw new UsageException("--batch-order '" + batchOrder + "' is inside --out '" + out
            + "', which holds the report alone; name a file outside it");
      }
      checkParentExists(batchOrder);
    }
    return new OutputPaths(reportsRoot, out, batchOrder);
  }

  private static Path path(CommandLine line, String option) {
    String text = line.getOptionValue(option);
    if (text == null) {
      return null;
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new UsageException("--" + option + " '" + text + "' is not a valid path: "
          + e.getReason());
    }
  }

  private static void refuseInside(Path model, Path path, String what) {
    if (model != null && real(path).startsWith(model)) {
      throw new UsageException(what + " is inside the model directory '" + model
          + "'; lrfinder never writes there");
    }
  }

  private static void checkDirectoryIsFree(Path out) {
    if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      checkParentIsADirectory(out, "--out '" + out + "'");
      return;
    }
    if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new UsageException("--out '" + out + "' exists and is not a directory");
    }
    try (Stream<Path> entries = Files.list(out)) {
      if (entries.findAny().isPresent()) {
        throw new UsageException("--out '" + out + "' is not empty; reports are never overwritten");
      }
    } catch (IOException e) {
      throw new UsageException("cannot read --out '" + out + "': "
          + IoErrors.reason(e));
    }
  }

  private static void checkParentExists(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(parent)) {
      throw new UsageException("--batch-order '" + file + "': "
          + (Files.exists(parent) ? "'" + parent + "' is not a directory"
              : "the directory '" + parent + "' does not exist"));
    }
  }

  /** The nearest existing directory above {@code path} must be a directory, not a file. */
  private static void checkParentIsADirectory(Path path, String what) {
    Path existing = path.toAbsolutePath().getParent();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new UsageException(what + " cannot be created: '" + existing + "' is not a directory");
    }
  }

  /**
   * {@code path} with every symbolic link and {@code ..} resolved as the operating system would
   * resolve them: the real path of its longest existing prefix, plus the names that do not exist
   * yet.
   */
  static Path real(Path path) {
    Path existing = path.toAbsolutePath();
    Deque<Path> missing = new ArrayDeque<>();
    while (existing.getParent() != null && !Files.exists(existing)) {
      missing.push(existing.getFileName());
      existing = existing.getParent();
    }
    Path real;
    try {
      real = existing.toRealPath();
    } catch (IOException e) {
      real = existing.normalize();
    }
    for (Path name : missing) {
      real = real.resolve(name);
    }
    return real.normalize();
  }
}
