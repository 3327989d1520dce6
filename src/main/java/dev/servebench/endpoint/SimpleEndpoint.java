package dev.servebench.endpoint;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.servebench.dataset.Prompt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

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
  public String requestPath(String basePath, String modelName) {
    return EndpointAdapter.joinPath(basePath, routeOverride != null ? routeOverride : modelName);
  }

  @Override
  public byte[] requestBody(Prompt prompt, RequestOptions options) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(prompt.text().length() + 192);
    try (JsonGenerator json = OpenAiPayload.JSON.createGenerator(out)) {
      ExtraBody.Merge extra = options.extraBody().merge(json);
      json.writeStartObject();
      if (extra.own("text")) {
        json.writeStringField("text", prompt.text());
      }
      ExtraBody.Merge config = extra.object("config");
      if (config != null) {
        json.writeObjectFieldStart("config");
        if (config.own("max_new_tokens")) {
          json.writeNumberField("max_new_tokens", prompt.outputTokens());
        }
        options.writeSampling(json, config);
        // Always present, as the seed script sent it: false unless asked for.
        if (config.own("do_sample")) {
          json.writeBooleanField("do_sample", Boolean.TRUE.equals(options.doSample()));
        }
        config.finish();
        json.writeEndObject();
      }
      json.writeBooleanField("stream", options.stream());
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
      return new PlainTextStreamParser();
    }
    return new SimpleJsonParser();
  }
}
