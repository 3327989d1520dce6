package dev.servebench.mock;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** The whole responses of the faults that answer with an error status. */
final class FaultReplies {

  private static final byte[] SERVICE_UNAVAILABLE_HTML =
      MockJson.utf8(
          "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
              + "<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
              + "</body>\r\n</html>\r\n");

  private static final byte[] LOGIN_PAGE_HTML =
      MockJson.utf8(
          "<!DOCTYPE html>\r\n<html><head><title>Sign in</title></head>\r\n"
              + "<body><form action=\"/login\" method=\"post\"></form></body></html>\r\n");

  private FaultReplies() {}

  /**
   * The answer to {@link Fault#HTTP_429}, {@link Fault#HTTP_500}, {@link Fault#HTTP_503_HTML} or
   * {@link Fault#HTML_200}.
   */
  static FullHttpResponse of(FaultSpec spec) {
    return switch (spec.fault()) {
      case HTTP_429 -> {
        FullHttpResponse response =
            json(
                HttpResponseStatus.TOO_MANY_REQUESTS,
                MockJson.error("mock server fault: rate limit reached", "rate_limit_error"));
        if (spec.parameter() > 0) {
          response.headers().set(HttpHeaderNames.RETRY_AFTER, spec.parameter());
        }
        yield response;
      }
      case HTTP_500 ->
          json(
              HttpResponseStatus.INTERNAL_SERVER_ERROR,
              MockJson.error("mock server fault: internal error", "server_error"));
      case HTTP_503_HTML ->
          body(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/html", SERVICE_UNAVAILABLE_HTML);
      case HTML_200 -> body(HttpResponseStatus.OK, "text/html", LOGIN_PAGE_HTML);
      default -> throw new IllegalArgumentException(spec.fault() + " has no fixed reply");
    };
  }

  private static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
    return body(status, HttpHeaderValues.APPLICATION_JSON.toString(), body);
  }

  private static FullHttpResponse body(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    HttpUtil.setContentLength(response, body.length);
    return response;
  }
}
