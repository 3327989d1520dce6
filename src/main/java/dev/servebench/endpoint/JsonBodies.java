package dev.servebench.endpoint;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.servebench.dataset.Prompt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes request bodies: one JSON object whose members an adapter writes through an {@link
 * ExtraBody.Merge}, so {@code --extra-body} overrides or adds to them the same way in every
 * protocol.
 */
final class JsonBodies {

  /** An adapter's members of one object. */
  interface Members {
    void write(JsonGenerator json, ExtraBody.Merge extra) throws IOException;
  }

  private JsonBodies() {}

  /** The body for one prompt: the adapter's members, merged with the options' extra body. */
  static byte[] write(Prompt prompt, RequestOptions options, Members members) {
    return write(prompt.text().length() + 256, options, members);
  }

  /** As {@link #write(Prompt, RequestOptions, Members)}, for a body of about {@code bytes}. */
  static byte[] write(int bytes, RequestOptions options, Members members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes);
    try (JsonGenerator json = OpenAiPayload.JSON.createGenerator(out)) {
      ExtraBody.Merge extra = options.extraBody().merge(json);
      json.writeStartObject();
      members.write(json, extra);
      extra.finish();
      json.writeEndObject();
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return out.toByteArray();
  }

  /**
   * Writes the prompt as the string member {@code promptField} and an object {@code settingsField}
   * with {@code max_new_tokens}, the sampling settings and then the protocol's {@code more}: the
   * shape of the simple endpoint, TGI and SGLang, which differ only in names.
   */
  static void promptAndSettings(
      JsonGenerator json,
      ExtraBody.Merge extra,
      Prompt prompt,
      RequestOptions options,
      String promptField,
      String settingsField,
      Members more)
      throws IOException {
    string(json, extra, promptField, prompt.text());
    object(
        json,
        extra,
        settingsField,
        (inner, settings) -> {
          number(inner, settings, "max_new_tokens", prompt.outputTokens());
          options.writeSampling(inner, settings);
          more.write(inner, settings);
        });
  }

  /** Writes the string member {@code name} unless the extra body gives it. */
  static void string(JsonGenerator json, ExtraBody.Merge extra, String name, String value)
      throws IOException {
    if (extra.own(name)) {
      json.writeStringField(name, value);
    }
  }

  /** Writes the number member {@code name} unless the extra body gives it. */
  static void number(JsonGenerator json, ExtraBody.Merge extra, String name, int value)
      throws IOException {
    if (extra.own(name)) {
      json.writeNumberField(name, value);
    }
  }

  /**
   * Writes the object member {@code name} with the adapter's members, unless the extra body
   * replaced or removed it.
   */
  static void object(JsonGenerator json, ExtraBody.Merge extra, String name, Members members)
      throws IOException {
    ExtraBody.Merge nested = extra.object(name);
    if (nested != null) {
      json.writeObjectFieldStart(name);
      members.write(json, nested);
      nested.finish();
      json.writeEndObject();
    }
  }
}
