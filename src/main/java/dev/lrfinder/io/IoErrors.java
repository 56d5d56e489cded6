package dev.lrfinder.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * File-system failures in words for one-line messages: the model loader, the data readers and
 * the report writer all say what went wrong the same way, without Java's exception class names.
 */
public final class IoErrors {
  private IoErrors() {}

  /**
   * The cause of {@code e} in the operating system's words ({@code no space left on device},
   * {@code permission denied}, {@code file name too long}...), from the innermost I/O error and
   * without the path, which the caller's sentence names.
   */
  public static String reason(Throwable e) {
    Throwable innermost = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        innermost = t;
      }
    }
    if (innermost instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (innermost instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (innermost instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (innermost instanceof FileAlreadyExistsException exists) {
      return "'" + exists.getFile() + "' already exists";
    }
    String text = innermost instanceof FileSystemException fs ? fs.getReason()
        : innermost.getMessage();
    if (text == null || text.isBlank()) {
      return "input/output error";
    }
    // The JDK passes on strerror's text ("No space left on device"); lower-case it for a sentence.
    text = text.lines().findFirst().orElse(text).trim();
    return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
  }
}
