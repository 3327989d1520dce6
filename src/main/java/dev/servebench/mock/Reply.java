package dev.servebench.mock;

import io.netty.handler.codec.http.HttpResponseStatus;

/** What the server will answer to one request, decided as soon as the request has been read. */
sealed interface Reply permits Reply.Fixed, Generation {

  /**
   * A JSON answer sent at once: model listing, errors.
   *
   * @param closeConnection whether the connection is unusable after this answer
   */
  record Fixed(HttpResponseStatus status, byte[] jsonBody, boolean closeConnection)
      implements Reply {

    static Fixed ok(byte[] jsonBody) {
      return new Fixed(HttpResponseStatus.OK, jsonBody, false);
    }

    static Fixed error(RequestException e) {
      return new Fixed(e.status(), MockJson.error(e.getMessage(), e.type()), false);
    }
  }
}
