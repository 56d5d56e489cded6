package dev.lrfinder.report;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An output (a report, a batch-order file) that cannot be written, in one sentence that names the
 * path and the cause in words, e.g. {@code no space left on device writing /r/curves.csv}. The
 * command line reports it as bad input (exit 2): the place the user chose does not take files.
 */
public final class OutputException extends RuntimeException {
  public OutputException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Writing {@code shown} (the path the user will look for) failed. */
  static OutputException writing(Path shown, IOException e) {
    return new OutputException(reason(e) + " writing " + shown, e);
  }

  /** Creating files in {@code place} (what the user asked for) failed. */
  static OutputException creating(String what, Path place, IOException e) {
    return new OutputException("cannot write " + what + " '" + place + "': " + reason(e), e);
  }

  /**
   * The cause of {@code e} in the operating system's words ({@code no space left on device},
   * {@code permission denied}, {@code file name too long}...), from the innermost I/O error.
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
    return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
  }
}
