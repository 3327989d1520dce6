package dev.servebench.endpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The Jackson-based reading that {@link OpenAiPayload} replaced, kept as the test oracle: what
 * Jackson's streaming parser makes of a JSON object is what the hand-written reader must make of
 * it.
 *
 * <p>Read: {@code choices[0].delta|message .content / .reasoning_content / .reasoning}, {@code
 * choices[0].text} (completions), {@code usage.prompt_tokens / completion_tokens} and {@code error}
 * (an object with a {@code message}, or a string). Everything else is skipped. Reusable: {@link
 * #read} resets the fields.
 */
final class JacksonPayloadReference {

  static final JsonFactory JSON = new JsonFactory();

  String content;
  String reasoning;
  int promptTokens;
  int completionTokens;
  String errorMessage;

  /**
   * Reads one JSON object, as servebench did up to the hand-written reader.
   *
   * @throws IOException if the bytes are not a JSON object
   */
  void read(byte[] bytes, int offset, int length) throws IOException {
    content = null;
    reasoning = null;
    promptTokens = -1;
    completionTokens = -1;
    errorMessage = null;
    try (JsonParser parser = JSON.createParser(bytes, offset, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("expected a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "choices" -> readChoices(parser, value);
          case "usage" -> readUsage(parser, value);
          case "error" -> readError(parser, value);
          default -> parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT) {
        throw new IOException("truncated JSON object");
      }
    }
  }

  private void readChoices(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      parser.skipChildren();
      return;
    }
    boolean first = true;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      if (first && parser.currentToken() == JsonToken.START_OBJECT) {
        readChoice(parser);
      } else {
        parser.skipChildren();
      }
      first = false;
    }
  }

  private void readChoice(JsonParser parser) throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (("delta".equals(field) || "message".equals(field)) && value == JsonToken.START_OBJECT) {
        readMessage(parser);
      } else if ("text".equals(field) && value == JsonToken.VALUE_STRING) {
        content = parser.getText();
      } else {
        parser.skipChildren();
      }
    }
  }

  private void readMessage(JsonParser parser) throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (value != JsonToken.VALUE_STRING) {
        parser.skipChildren();
        continue;
      }
      switch (field) {
        case "content" -> content = parser.getText();
        case "reasoning_content", "reasoning" -> reasoning = parser.getText();
        default -> {}
      }
    }
  }

  private void readUsage(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return;
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken count = parser.nextToken();
      if (count == JsonToken.VALUE_NUMBER_INT) {
        switch (field) {
          case "prompt_tokens" -> promptTokens = parser.getIntValue();
          case "completion_tokens" -> completionTokens = parser.getIntValue();
          default -> {}
        }
      } else {
        parser.skipChildren();
      }
    }
  }

  private void readError(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return;
    }
    if (value == JsonToken.VALUE_STRING) {
      errorMessage = parser.getText();
      return;
    }
    if (value != JsonToken.START_OBJECT) {
      errorMessage = "error: " + parser.getText();
      parser.skipChildren();
      return;
    }
    errorMessage = "error object without a message";
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken text = parser.nextToken();
      if ("message".equals(field) && text == JsonToken.VALUE_STRING) {
        errorMessage = parser.getText();
      } else {
        parser.skipChildren();
      }
    }
  }
}
