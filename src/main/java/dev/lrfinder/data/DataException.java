package dev.lrfinder.data;

/** A problem with the user's data file, worded as one sentence for the command line. */
public class DataException extends RuntimeException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
