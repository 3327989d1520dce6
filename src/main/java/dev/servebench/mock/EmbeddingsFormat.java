package dev.servebench.mock;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * OpenAI's embeddings response: {@code {"object":"list","data":[{"object":"embedding","index":0,
 * "embedding":[...]}],"model","usage":{"prompt_tokens","total_tokens"}}}. It is never streamed; the
 * stream methods serve only the faults that replace an answer with a stream of their own.
 */
final class EmbeddingsFormat implements ResponseFormat {

  /** As small embedding models have. */
  static final int DIMENSIONS = 384;

  /** The one vector every answer carries, its JSON made once. */
  private static final String VECTOR = vector();

  private final String model;

  EmbeddingsFormat(String model) {
    this.model = model;
  }

  /**
   * Small numbers of five significant digits, made by integer arithmetic: the class is first loaded
   * on an event loop serving other requests, where formatting hundreds of numbers would hold them.
   */
  private static String vector() {
    StringBuilder json = new StringBuilder(DIMENSIONS * 9).append('[');
    for (int i = 0; i < DIMENSIONS; i++) {
      json.append(i == 0 ? "" : ",")
          .append(i % 2 == 0 ? "0.0" : "-0.0")
          .append(10_000 + (i * 7919) % 90_000);
    }
    return json.append(']').toString();
  }

  @Override
  public String streamContentType() {
    return "text/event-stream";
  }

  @Override
  public void writeChunkOpen(ByteBuf out, boolean reasoning) {
    out.writeBytes(MockJson.utf8("data: {\"text\":\""));
  }

  @Override
  public void writeChunkClose(ByteBuf out, boolean last, int promptTokens, int completionTokens) {
    out.writeBytes(MockJson.utf8("\"}\n\n"));
  }

  @Override
  public void writeError(ByteBuf out, String message) {
    out.writeBytes(MockJson.error(message, "server_error")).writeBytes(MockJson.BLANK_LINE);
  }

  @Override
  public byte[] completeBody(List<String> outputs, int[] promptTokens, int outputTokens) {
    // A builder, not string concatenation: the first concatenation of a new shape is set up for
    // milliseconds on the event loop, which other requests then wait for.
    int prompt = promptTokens[0];
    return MockJson.utf8(
        new StringBuilder(VECTOR.length() + 200)
            .append("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,")
            .append("\"embedding\":")
            .append(VECTOR)
            .append("}],\"model\":")
            .append(MockJson.quoted(model))
            .append(",\"usage\":{\"prompt_tokens\":")
            .append(prompt)
            .append(",\"total_tokens\":")
            .append(prompt)
            .append("}}")
            .toString());
  }
}
