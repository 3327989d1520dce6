package dev.servebench.endpoint;

import dev.servebench.dataset.Prompt;
import java.util.List;

/**
 * OpenAI-compatible chat ({@code /v1/chat/completions}) and completions ({@code /v1/completions}),
 * as vLLM, SGLang, TGI, llama.cpp and LLM-on-Ray's OpenAI API serve them. Streamed requests ask for
 * {@code stream_options.include_usage} so the server's own token counts arrive at the end.
 */
final class OpenAiEndpoint implements EndpointAdapter {

  private final boolean chat;

  OpenAiEndpoint(boolean chat) {
    this.chat = chat;
  }

  @Override
  public String requestPath(String basePath, String modelName, boolean stream) {
    return v1Path(basePath, chat ? "/chat/completions" : "/completions");
  }

  /** {@code route} under the base's {@code /v1}, which is added unless the base names it. */
  static String v1Path(String basePath, String route) {
    String base = basePath == null ? "" : basePath.replaceAll("/+$", "");
    return EndpointAdapter.joinPath(base.endsWith("/v1") ? base : base + "/v1", route);
  }

  @Override
  public byte[] requestBody(Prompt prompt, RequestOptions options) {
    return body(prompt, List.of(), options);
  }

  /** Chat sends the history as messages, user and assistant alternating; completions as text. */
  @Override
  public byte[] requestBody(Prompt prompt, List<String> history, RequestOptions options) {
    return chat
        ? body(prompt, history, options)
        : body(EndpointAdapter.conversationAsText(prompt, history), List.of(), options);
  }

  private byte[] body(Prompt prompt, List<String> history, RequestOptions options) {
    int historyChars = 0;
    for (String part : history) {
      historyChars += part.length() + 40;
    }
    return JsonBodies.write(
        prompt.text().length() + historyChars + 256,
        options,
        (json, extra) -> {
          JsonBodies.string(json, extra, "model", options.modelName());
          if (chat) {
            if (extra.own("messages")) {
              json.writeArrayFieldStart("messages");
              for (int i = 0; i < history.size(); i++) {
                json.writeStartObject();
                json.writeStringField("role", i % 2 == 0 ? "user" : "assistant");
                json.writeStringField("content", history.get(i));
                json.writeEndObject();
              }
              json.writeStartObject();
              json.writeStringField("role", "user");
              json.writeStringField("content", prompt.text());
              json.writeEndObject();
              json.writeEndArray();
            }
          } else {
            JsonBodies.string(json, extra, "prompt", prompt.text());
          }
          JsonBodies.number(json, extra, "max_tokens", prompt.outputTokens());
          json.writeBooleanField("stream", options.stream());
          if (options.stream()) {
            JsonBodies.object(
                json,
                extra,
                "stream_options",
                (inner, streamOptions) -> {
                  if (streamOptions.own("include_usage")) {
                    inner.writeBooleanField("include_usage", true);
                  }
                  if (options.continuousUsage() && streamOptions.own("continuous_usage_stats")) {
                    inner.writeBooleanField("continuous_usage_stats", true);
                  }
                });
          }
          options.writeSampling(json, extra);
        });
  }

  @Override
  public ResponseParser responseParser(boolean streamRequested, String contentType) {
    return OpenAiStreamParser.forResponse(
        OpenAiPayload.Dialect.OPENAI, streamRequested, contentType);
  }
}
