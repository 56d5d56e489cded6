package dev.lrfinder.cli;

/** Bad command-line input: reported in one line with exit code 2. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
