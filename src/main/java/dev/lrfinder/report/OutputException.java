package dev.lrfinder.report;

import dev.lrfinder.io.IoErrors;
import java.io.IOException;
import java.nio.file.Path;

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
    return new OutputException(IoErrors.reason(e) + " writing " + shown, e);
  }

  /** Creating files in {@code place} (what the user asked for) failed. */
  static OutputException creating(String what, Path place, IOException e) {
    return new OutputException("cannot write " + what + " '" + place + "': "
        + IoErrors.reason(e), e);
  }
}
