package dev.servebench.mock;

import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;

/** What the server will answer to one request, decided as soon as the request has been read. */
sealed interface Reply permits Reply.Fixed, Generation {

  /**
   * An answer sent at once: model listing, metrics, errors.
   *
   * @param closeConnection whether the connection is unusable after this answer
   * @param contentType the body's media type
   */
  record Fixed(
      HttpResponseStatus status, byte[] body, boolean closeConnection, CharSequence contentType)
      implements Reply {

    /** A JSON answer. */
    Fixed(HttpResponseStatus status, byte[] jsonBody, boolean closeConnection) {
      this(status, jsonBody, closeConnection, HttpHeaderValues.APPLICATION_JSON);
    }

    static Fixed ok(byte[] jsonBody) {
      return new Fixed(HttpResponseStatus.OK, jsonBody, false);
    }

    static Fixed error(RequestException e) {
      return new Fixed(e.status(), MockJson.error(e.getMessage(), e.type()), false);
    }
  }
}
