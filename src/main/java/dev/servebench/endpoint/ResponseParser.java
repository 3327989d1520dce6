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
}
