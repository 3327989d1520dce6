package dev.servebench.endpoint;

import dev.servebench.dataset.Prompt;

/**
 * OpenAI's embeddings API ({@code POST /v1/embeddings} with {@code {"model", "input"}}), never
 * streamed: a request's latency is the whole response's, it generates no tokens, and the server's
 * {@code usage.prompt_tokens} counts its input.
 */
final class EmbeddingsEndpoint implements EndpointAdapter {

  @Override
  public String requestPath(String basePath, String modelName, boolean stream) {
    return OpenAiEndpoint.v1Path(basePath, "/embeddings");
  }

  @Override
  public byte[] requestBody(Prompt prompt, RequestOptions options) {
    return JsonBodies.write(
        prompt,
        options,
        (json, extra) -> {
          JsonBodies.string(json, extra, "model", options.modelName());
          JsonBodies.string(json, extra, "input", prompt.text());
        });
  }

  @Override
  public ResponseParser responseParser(boolean streamRequested, String contentType) {
    return new OpenAiJsonParser(OpenAiPayload.Dialect.EMBEDDINGS);
  }
}
