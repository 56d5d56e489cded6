package dev.lrfinder.cli;

/**
 * The command stopped because it was interrupted (Ctrl-C, SIGTERM, {@link Thread#interrupt}):
 * reported as {@code lrfinder: interrupted; <message>} with exit code 130. The message says what
 * was kept, e.g. "the model was restored, no report written".
 */
final class CommandInterrupted extends RuntimeException {
  CommandInterrupted(String message) {
    super(message);
  }

  CommandInterrupted(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether {@code e} (or its cause) comes from an interruption of the calling thread. */
  static boolean causedBy(Throwable e) {
    if (Thread.currentThread().isInterrupted()) {
      return true;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CommandInterrupted || t instanceof InterruptedException
          || t instanceof java.io.InterruptedIOException
          || t instanceof java.nio.channels.ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }
}
