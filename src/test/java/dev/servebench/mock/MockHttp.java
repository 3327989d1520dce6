package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Raw HTTP and SSE helpers the mock server's tests share; no servebench client code. */
final class MockHttp {

  private MockHttp() {}

  /** A complete HTTP/1.1 POST of {@code json}; {@code extraHeaders} lines end in CRLF. */
  static String rawPost(String path, String json, String extraHeaders) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + json.getBytes(StandardCharsets.UTF_8).length
        + "\r\n"
        + extraHeaders
        + "\r\n"
        + json;
  }

  /** Reads byte by byte until {@code marker} has been seen; returns everything read. */
  static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.UTF_8).endsWith(marker)) {
      int b = in.read();
      assertThat(b).as("connection closed before %s", marker).isNotNegative();
      seen.write(b);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  /** The {@code data:} payloads of an SSE body, in order. */
  static List<String> ssePayloads(String body) {
    List<String> payloads = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      if (!event.isEmpty()) {
        assertThat(event).startsWith("data: ");
        payloads.add(event.substring("data: ".length()));
      }
    }
    return payloads;
  }
}
