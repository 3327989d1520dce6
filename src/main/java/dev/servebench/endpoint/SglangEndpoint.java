package dev.servebench.endpoint;

import dev.servebench.dataset.Prompt;

/**
 * SGLang's native API: {@code POST /generate} with {@code {"text", "sampling_params", "stream"}}; a
 * stream of events each holding the whole text so far and the server's running token counts ({@code
 * meta_info}), ended by {@code data: [DONE]}, or one JSON object.
 */
final class SglangEndpoint implements EndpointAdapter {

  @Override
  public String requestPath(String basePath, String modelName, boolean stream) {
    return EndpointAdapter.joinPath(basePath, "/generate");
  }

  @Override
  public byte[] requestBody(Prompt prompt, RequestOptions options) {
    return JsonBodies.write(
        prompt,
        options,
        (json, extra) -> {
          JsonBodies.promptAndSettings(
              json, extra, prompt, options, "text", "sampling_params", (sampling, merge) -> {});
          json.writeBooleanField("stream", options.stream());
        });
  }

  @Override
  public ResponseParser responseParser(boolean streamRequested, String contentType) {
    return OpenAiStreamParser.forResponse(
        OpenAiPayload.Dialect.SGLANG, streamRequested, contentType);
  }
}
