package dev.servebench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * LLM-on-Ray's "simple" endpoint: a stream of raw text pieces without framing or end marker, or a
 * JSON result in the shape of the serving engine (transformers, or vLLM when the request's config
 * carries {@code ignore_eos}); a list of prompts gets a JSON array of results. Reasoning tokens are
 * plain text here.
 */
final class SimpleFormat implements ResponseFormat {

  private static final byte[] MALFORMED_PREFIX = MockJson.utf8("{\"text\": \"");

  private final boolean vllmShape;
  private final boolean batch;

  SimpleFormat(boolean vllmShape, boolean batch) {
    this.vllmShape = vllmShape;
    this.batch = batch;
  }

  @Override
  public String streamContentType() {
    return "text/plain; charset=utf-8";
  }

  @Override
  public void writeChunkOpen(ByteBuf out, boolean reasoning) {}

  @Override
  public void writeChunkClose(ByteBuf out, boolean last, int promptTokens, int completionTokens) {}

  /**
   * The raw text stream has no framing for errors; a server that fails mid-stream says so in it.
   */
  @Override
  public void writeError(ByteBuf out, String message) {
    out.writeBytes(MockJson.error(message, "server_error"));
  }

  /** Raw text has no framing to break; the closest thing is a JSON object cut short. */
  @Override
  public void writeMalformedChunk(ByteBuf out, byte[] tokenUtf8) {
    out.writeBytes(MALFORMED_PREFIX).writeBytes(tokenUtf8);
  }

  @Override
  public byte[] completeBody(List<String> outputs, int[] promptTokens, int outputTokens) {
    if (!batch) {
      return MockJson.bytes(result(outputs.get(0), promptTokens[0], outputTokens));
    }
    ArrayNode results = MockJson.MAPPER.createArrayNode();
    for (int i = 0; i < outputs.size(); i++) {
      results.add(result(outputs.get(i), promptTokens[i], outputTokens));
    }
    return MockJson.bytes(results);
  }

  private JsonNode result(String output, int promptTokens, int outputTokens) {
    ObjectNode result = MockJson.object();
    if (vllmShape) {
      return result
          .put("generated_text", output)
          .put("num_input_tokens", promptTokens)
          .put("num_generated_tokens", outputTokens)
          .put("finish_reason", "length")
          .putNull("error");
    }
    return result
        .put("text", output)
        .put("input_length", promptTokens)
        .put("generate_length", outputTokens);
  }
}
