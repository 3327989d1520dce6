package dev.servebench.endpoint;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.servebench.dataset.Prompt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
  public String requestPath(String basePath, String modelName) {
    String route = chat ? "/chat/completions" : "/completions";
    // A base given as http://host:8000/v1 already names the API version.
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
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(prompt.text().length() + historyChars + 256);
    try (JsonGenerator json = OpenAiPayload.JSON.createGenerator(out)) {
      ExtraBody.Merge extra = options.extraBody().merge(json);
      json.writeStartObject();
      if (extra.own("model")) {
        json.writeStringField("model", options.modelName());
      }
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
      } else if (extra.own("prompt")) {
        json.writeStringField("prompt", prompt.text());
      }
      if (extra.own("max_tokens")) {
        json.writeNumberField("max_tokens", prompt.outputTokens());
      }
      json.writeBooleanField("stream", options.stream());
      ExtraBody.Merge streamOptions;
      if (options.stream() && (streamOptions = extra.object("stream_options")) != null) {
        json.writeObjectFieldStart("stream_options");
        if (streamOptions.own("include_usage")) {
          json.writeBooleanField("include_usage", true);
        }
        if (options.continuousUsage() && streamOptions.own("continuous_usage_stats")) {
          json.writeBooleanField("continuous_usage_stats", true);
        }
        streamOptions.finish();
        json.writeEndObject();
      }
      options.writeSampling(json, extra);
      extra.finish();
      json.writeEndObject();
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return out.toByteArray();
  }

  @Override
  public ResponseParser responseParser(boolean streamRequested, String contentType) {
    if (streamRequested && !EndpointAdapter.isJson(contentType)) {
      return new OpenAiStreamParser();
    }
    return new OpenAiJsonParser();
  }
}
