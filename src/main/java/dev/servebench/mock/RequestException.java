package dev.servebench.mock;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A request the server refuses, with the status and OpenAI error type it answers with. */
final class RequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient HttpResponseStatus status;
  private final String type;

  RequestException(HttpResponseStatus status, String type, String message) {
    // No stack trace: bad requests are expected traffic, not bugs.
    super(message, null, false, false);
    this.status = status;
    this.type = type;
  }

  static RequestException invalid(String message) {
    return new RequestException(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", message);
  }

  HttpResponseStatus status() {
    return status;
  }

  String type() {
    return type;
  }
}
