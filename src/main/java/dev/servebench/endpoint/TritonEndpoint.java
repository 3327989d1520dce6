package dev.servebench.endpoint;

import dev.servebench.dataset.Prompt;

/**
 * Triton Inference Server's generate extension, as TensorRT-LLM's models take it: {@code POST
 * /v2/models/<model>/generate_stream} (events each holding the new {@code text_output}, no end
 * marker) or {@code /generate} (one JSON object), with {@code {"text_input", "max_tokens",
 * "stream"}} and the sampling settings as top-level fields (Triton hands each to the model as an
 * input or a parameter). Its answers carry no token counts: the local tokenizer counts them.
 */
final class TritonEndpoint implements EndpointAdapter {

  @Override
  public String requestPath(String basePath, String modelName, boolean stream) {
    return EndpointAdapter.joinPath(
        basePath, "/v2/models/" + modelName + (stream ? "/generate_stream" : "/generate"));
  }

  @Override
  public byte[] requestBody(Prompt prompt, RequestOptions options) {
    return JsonBodies.write(
        prompt,
        options,
        (json, extra) -> {
          JsonBodies.string(json, extra, "text_input", prompt.text());
          JsonBodies.number(json, extra, "max_tokens", prompt.outputTokens());
          // TensorRT-LLM streams token by token only when asked, whichever route is used.
          json.writeBooleanField("stream", options.stream());
          options.writeSampling(json, extra);
        });
  }

  @Override
  public ResponseParser responseParser(boolean streamRequested, String contentType) {
    return OpenAiStreamParser.forResponse(
        OpenAiPayload.Dialect.TRITON, streamRequested, contentType);
  }
}
