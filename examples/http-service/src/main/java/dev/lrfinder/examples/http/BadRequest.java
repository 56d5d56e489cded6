package dev.lrfinder.examples.http;

/** A request the service refuses with 400: the message is the one line the client gets back. */
final class BadRequest extends Exception {
  private static final long serialVersionUID = 1L;

  BadRequest(String message) {
    super(message, null, false, false);
  }
}
