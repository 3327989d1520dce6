package dev.servebench.mock;

import java.util.List;
import java.util.Map;

/**
 * One request as the mock received it, kept when {@link MockServerConfig#captureRequests()} asks:
 * tests check what a client sent (its header fields, its body) against what it was told to send.
 *
 * @param headers every header field in the order received, repeated names kept
 * @param body the body as UTF-8 text
 */
public record CapturedRequest(
    String method, String uri, List<Map.Entry<String, String>> headers, String body) {

  public CapturedRequest {
    headers = List.copyOf(headers);
  }

  /** The values of every field of this name (any case), in order. */
  public List<String> headerValues(String name) {
    return headers.stream()
        .filter(field -> field.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .toList();
  }

  /** The value of the one field of this name, or {@code null} when there is none. */
  public String header(String name) {
    List<String> values = headerValues(name);
    if (values.size() > 1) {
      throw new IllegalStateException(name + " was sent " + values.size() + " times: " + values);
    }
    return values.isEmpty() ? null : values.get(0);
  }
}
