package dev.servebench.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * SGLang's native {@code /generate}: a stream of {@code data: {"text", "meta_info"}} events, each
 * {@code text} the whole output so far and {@code meta_info} the running token counts, ended by
 * {@code data: [DONE]}; or one JSON object of the same shape. An error after the headers is an
 * event {@code {"error": {"message"}}}, then the marker.
 */
final class SglangFormat implements ResponseFormat {

  private static final byte[] EVENT_OPEN = MockJson.utf8("data: {\"text\":\"");
  private static final byte[] PROMPT_TOKENS = MockJson.utf8(",\"prompt_tokens\":");
  private static final byte[] COMPLETION_TOKENS = MockJson.utf8(",\"completion_tokens\":");
  private static final byte[] EVENT_CLOSE = MockJson.utf8(",\"cached_tokens\":0},\"index\":0}\n\n");
  private static final byte[] UNFINISHED = MockJson.utf8(",\"finish_reason\":null");
  private static final byte[] FINISHED_AT_LENGTH =
      MockJson.utf8(",\"finish_reason\":{\"type\":\"length\",\"length\":");
  private static final byte[] DONE = MockJson.utf8("data: [DONE]\n\n");

  private final String id;

  /** {@code ","meta_info":{"id":"<id>"}: what follows every event's text. */
  private final byte[] metaOpen;

  private final StreamedText text = new StreamedText();

  SglangFormat(long requestNumber) {
    this.id = new StringBuilder("mock-").append(requestNumber).toString();
    this.metaOpen =
        MockJson.utf8(
            new StringBuilder("\",\"meta_info\":{\"id\":\"").append(id).append('"').toString());
  }

  @Override
  public String streamContentType() {
    return "text/event-stream";
  }

  @Override
  public void writeChunkOpen(ByteBuf out, boolean reasoning) {
    out.writeBytes(EVENT_OPEN);
    text.writeTo(out);
    text.markStart(out);
  }

  @Override
  public void writeChunkClose(ByteBuf out, boolean last, int promptTokens, int completionTokens) {
    text.keep(out);
    out.writeBytes(metaOpen);
    if (last) {
      out.writeBytes(FINISHED_AT_LENGTH);
      MockJson.writeDecimal(out, completionTokens);
      out.writeByte('}');
    } else {
      out.writeBytes(UNFINISHED);
    }
    out.writeBytes(PROMPT_TOKENS);
    MockJson.writeDecimal(out, promptTokens);
    out.writeBytes(COMPLETION_TOKENS);
    MockJson.writeDecimal(out, completionTokens);
    out.writeBytes(EVENT_CLOSE);
  }

  @Override
  public void writeDone(ByteBuf out) {
    out.writeBytes(DONE);
  }

  @Override
  public void writeError(ByteBuf out, String message) {
    ObjectNode error = MockJson.object();
    error.putObject("error").put("message", message);
    MockJson.writeEvent(out, "data: ", error);
  }

  @Override
  public byte[] completeBody(List<String> outputs, int[] promptTokens, int outputTokens) {
    ObjectNode body = MockJson.object().put("text", outputs.get(0));
    ObjectNode meta = body.putObject("meta_info").put("id", id);
    meta.putObject("finish_reason").put("type", "length").put("length", outputTokens);
    meta.put("prompt_tokens", promptTokens[0])
        .put("completion_tokens", outputTokens)
        .put("cached_tokens", 0);
    return MockJson.bytes(body);
  }
}
