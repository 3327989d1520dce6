package dev.servebench.endpoint;

import dev.servebench.dataset.Prompt;

/**
 * Hugging Face Text Generation Inference's own API: {@code POST /generate_stream} (an event per
 * token, the last with {@code generated_text} and {@code details}) or {@code /generate} (one JSON
 * object), with {@code {"inputs", "parameters"}}. Requests ask for {@code details} so the server's
 * count of generated tokens comes back.
 */
final class TgiEndpoint implements EndpointAdapter {

  @Override
  public String requestPath(String basePath, String modelName, boolean stream) {
    return EndpointAdapter.joinPath(basePath, stream ? "/generate_stream" : "/generate");
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
              "inputs",
              "parameters",
              (parameters, merge) -> {
                if (options.doSample() != null && merge.own("do_sample")) {
                  parameters.writeBooleanField("do_sample", options.doSample());
                }
                if (merge.own("details")) {
                  parameters.writeBooleanField("details", true);
                }
              });
        });
  }

  @Override
  public ResponseParser responseParser(boolean streamRequested, String contentType) {
    return OpenAiStreamParser.forResponse(OpenAiPayload.Dialect.TGI, streamRequested, contentType);
  }
}
