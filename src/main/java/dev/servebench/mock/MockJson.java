package dev.servebench.mock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** The one JSON mapper of the mock server (thread-safe once built) and small helpers around it. */
final class MockJson {

  /**
   * Rejects {@code {...} junk} as a real server's strict parser does, instead of ignoring the junk.
   */
  static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private MockJson() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /** {@code value} as a quoted JSON string literal, for the hand-assembled stream events. */
  static String quoted(String value) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + '"';
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code value} (not negative) in decimal: the stream formats write counts into every
   * event, and this makes no string to do it.
   */
  static void writeDecimal(ByteBuf out, int value) {
    int digits = 1;
    for (int rest = value / 10; rest > 0; rest /= 10) {
      digits++;
    }
    int end = out.writerIndex() + digits;
    out.ensureWritable(digits);
    for (int i = end - 1; i >= end - digits; i--) {
      out.setByte(i, '0' + value % 10);
      value /= 10;
    }
    out.writerIndex(end);
  }

  /** The blank line that ends an SSE event. */
  static final byte[] BLANK_LINE = utf8("\n\n");

  /**
   * Writes {@code json} as one SSE event after {@code dataField} ({@code data:} or {@code data: }).
   */
  static void writeEvent(ByteBuf out, String dataField, JsonNode json) {
    out.writeBytes(utf8(dataField)).writeBytes(bytes(json)).writeBytes(BLANK_LINE);
  }

  /** The OpenAI error shape, which the other endpoints use too. */
  static byte[] error(String message, String type) {
    ObjectNode body = object();
    body.putObject("error").put("message", message).put("type", type);
    return bytes(body);
  }
}
