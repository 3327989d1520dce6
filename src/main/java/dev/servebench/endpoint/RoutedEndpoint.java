package dev.servebench.endpoint;

import dev.servebench.dataset.Prompt;
import java.util.List;

/**
 * A protocol sent to a path of the user's choosing ({@code --route}, vLLM's {@code --endpoint})
 * instead of its own: the path is appended to the base URL's as it is, streamed or not, as vLLM
 * joins {@code --base-url} and {@code --endpoint}. Bodies and parsing are the protocol's.
 */
final class RoutedEndpoint implements EndpointAdapter {

  private final EndpointAdapter protocol;
  private final String route;

  RoutedEndpoint(EndpointAdapter protocol, String route) {
    this.protocol = protocol;
    this.route = route;
  }

  @Override
  public String requestPath(String basePath, String modelName, boolean stream) {
    return EndpointAdapter.joinPath(basePath, route);
  }

  @Override
  public byte[] requestBody(Prompt prompt, RequestOptions options) {
    return protocol.requestBody(prompt, options);
  }

  @Override
  public byte[] requestBody(Prompt prompt, List<String> history, RequestOptions options) {
    return protocol.requestBody(prompt, history, options);
  }

  @Override
  public ResponseParser responseParser(boolean streamRequested, String contentType) {
    return protocol.responseParser(streamRequested, contentType);
  }
}
