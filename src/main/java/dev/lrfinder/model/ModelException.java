package dev.lrfinder.model;

/** A model that cannot be used, explained in one sentence for the command line. */
public class ModelException extends RuntimeException {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
