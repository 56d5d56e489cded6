package dev.lrfinder.model;

import dev.lrfinder.io.IoErrors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Checks of the files of a model, each failing with a {@link ModelException} that names the file
 * and says what is wrong in words (missing, a directory, a looping link, unreadable, empty...).
 */
public final class ModelFiles {
  private ModelFiles() {}

  /** Whether a path must be a file or a directory. */
  private enum Kind { FILE, DIRECTORY }

  /**
   * Requires {@code file} to be a regular file (links followed) that this process can open for
   * reading and, unless {@code mayBeEmpty}, holds at least one byte.
   *
   * @param role what the file is, for the message when it is missing ("the checkpoint index")
   * @return its size in bytes
   */
  public static long requireReadableFile(Path file, String role, boolean mayBeEmpty) {
    BasicFileAttributes attributes = attributes(file, role, Kind.FILE);
    if (attributes.isDirectory()) {
      throw new ModelException("'" + file + "' is a directory; it should be " + role + " (a file)");
    }
    if (!attributes.isRegularFile()) {
      throw new ModelException("'" + file + "' is not a regular file (a pipe, socket or device);"
          + " it should be " + role);
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      // Opened only to learn that it can be read: permissions, ACLs or a read-only mount say so.
    } catch (IOException e) {
      throw new ModelException("cannot read '" + file + "': " + reason(e), e);
    }
    if (!mayBeEmpty && attributes.size() == 0) {
      throw new ModelException("'" + file + "' is empty; it should be " + role);
    }
    return attributes.size();
  }

  /** Requires {@code directory} to be a directory (links followed) whose entries can be read. */
  public static void requireDirectory(Path directory, String role) {
    BasicFileAttributes attributes = attributes(directory, role, Kind.DIRECTORY);
    if (!attributes.isDirectory()) {
      throw new ModelException("'" + directory + "' is not a directory; it should be " + role);
    }
    if (!Files.isExecutable(directory) || !Files.isReadable(directory)) {
      throw new ModelException("cannot read '" + directory + "': permission denied");
    }
  }

  /** Reads a whole file; an I/O error becomes a {@link ModelException} naming it. */
  public static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelException("cannot read '" + file + "': " + reason(e), e);
    }
  }

  /** What went wrong in words, without Java's class names: "it does not exist", "permission denied". */
  public static String reason(IOException e) {
    return e instanceof NoSuchFileException ? "it does not exist" : IoErrors.reason(e);
  }

  private static BasicFileAttributes attributes(Path path, String role, Kind kind) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (IOException followed) {
      if (Files.isSymbolicLink(path)) {
        throw new ModelException(brokenLink(path, followed), followed);
      }
      if (followed instanceof NoSuchFileException) {
        throw new ModelException("'" + path + "' is missing; it should be " + role
            + (kind == Kind.DIRECTORY ? " (a directory)" : ""), followed);
      }
      throw new ModelException("cannot open '" + path + "': " + reason(followed), followed);
    }
  }

  private static String brokenLink(Path link, IOException followed) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      target = "?";
    }
    try {
      Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return "cannot open '" + link + "': " + reason(e);
    }
    if (followed instanceof NoSuchFileException) {
      return "'" + link + "' is a symbolic link to '" + target + "', which does not exist";
    }
    return "'" + link + "' is a symbolic link to '" + target + "' that cannot be followed (a loop"
        + " of links, or a target this process may not look at)";
  }
}
