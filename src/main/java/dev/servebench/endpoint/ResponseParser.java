package dev.servebench.endpoint;

/**
 * Turns the body of one successful (2xx) response into {@link ResponseEvents}. One instance per
 * response, driven by that response's I/O thread, so implementations keep plain mutable state.
 */
public interface ResponseParser {

  /** One read of the body. {@code bytes} is only valid during the call. */
  void onBody(byte[] bytes, int offset, int length, long arrivalNanos, ResponseEvents events);

  /** The body ended normally (the server finished the response). */
  void onEnd(ResponseEvents events);

  /**
   * The message for a failure the server reported itself. Servers do send {@code {"error": ""}} and
   * bare {@code event: error} lines; an empty message in a report would hide that a failure
   * happened at all, so it is named.
   */
  static String serverErrorMessage(String message) {
    return message == null || message.isBlank()
        ? "the server reported an error without a message"
        : message;
  }
}
