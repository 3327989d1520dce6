package dev.servebench.endpoint;

import dev.servebench.dataset.Prompt;

/**
 * LLM-on-Ray's simple endpoint: {@code POST <base>/<model>} with {@code {"text", "config",
 * "stream"}}; a streamed answer is plain text, a non-streamed one JSON.
 */
final class SimpleEndpoint implements EndpointAdapter {

  private final String routeOverride;

  /**
   * @param routeOverride a route to use instead of {@code /<model name>}, or {@code null}
   */
  SimpleEndpoint(String routeOverride) {
    this.routeOverride = routeOverride;
  }

  @Override
  public String requestPath(String basePath, String modelName, boolean stream) {
    return EndpointAdapter.joinPath(basePath, routeOverride != null ? routeOverride : modelName);
  }

  @Override
  public byte[] requestBody(Prompt prompt, RequestOptions options) {
    return JsonBodies.write(
        prompt,
        options,
        (json, extra) -> {
          JsonBodies.promptAndSettings(
              json,
              extra,
              prompt,
              options,
              "text",
              "config",
              (config, merge) -> {
                // Always present, as the seed script sent it: false unless asked for.
                if (merge.own("do_sample")) {
                  config.writeBooleanField("do_sample", Boolean.TRUE.equals(options.doSample()));
                }
              });
          json.writeBooleanField("stream", options.stream());
        });
  }

  @Override
  public ResponseParser responseParser(boolean streamRequested, String contentType) {
    if (streamRequested && !EndpointAdapter.isJson(contentType)) {
      return new PlainTextStreamParser();
    }
    return new SimpleJsonParser();
  }
}
