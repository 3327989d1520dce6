package dev.servebench.mock;

import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last requests the server received, heads and bodies, for tests; off (never constructed)
 * unless {@link MockServerConfig#captureRequests()} is above 0, so a server under load copies
 * nothing.
 */
final class RequestCapture {

  private final int maxRequests;
  private final ArrayDeque<CapturedRequest> kept = new ArrayDeque<>();

  RequestCapture(int maxRequests) {
    this.maxRequests = maxRequests;
  }

  void add(FullHttpRequest request) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    request.headers().forEach(field -> headers.add(Map.entry(field.getKey(), field.getValue())));
    CapturedRequest captured =
        new CapturedRequest(
            request.method().name(),
            request.uri(),
            headers,
            request.content().toString(StandardCharsets.UTF_8));
    synchronized (kept) {
      if (kept.size() == maxRequests) {
        kept.removeFirst();
      }
      kept.addLast(captured);
    }
  }

  /** The kept requests, oldest first. */
  List<CapturedRequest> snapshot() {
    synchronized (kept) {
      return List.copyOf(kept);
    }
  }
}
