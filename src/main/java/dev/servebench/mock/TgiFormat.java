package dev.servebench.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Text Generation Inference's own API, in the shapes its router sends: an event per token, {@code
 * data:{"index","token":{"id","text","logprob","special"},"generated_text":null,"details":null}},
 * the last carrying the whole text and {@code details} (with {@code generated_tokens} and {@code
 * input_length}), no end marker; or one JSON object with {@code generated_text} and {@code
 * details}. An error after the headers is an event {@code {"error", "error_type"}}.
 */
final class TgiFormat implements ResponseFormat {

  private static final byte[] EVENT_OPEN = MockJson.utf8("data:{\"index\":");
  private static final byte[] TOKEN_ID = MockJson.utf8(",\"token\":{\"id\":");
  private static final byte[] TOKEN_TEXT = MockJson.utf8(",\"text\":\"");
  private static final byte[] MIDDLE_CLOSE =
      MockJson.utf8(
          "\",\"logprob\":-0.25,\"special\":false},\"generated_text\":null,\"details\":null}\n\n");
  private static final byte[] LAST_TOKEN_CLOSE =
      MockJson.utf8("\",\"logprob\":-0.25,\"special\":false},\"generated_text\":\"");
  private static final byte[] DETAILS =
      MockJson.utf8(
          "\",\"details\":{\"finish_reason\":\"length\",\"seed\":null,\"generated_tokens\":");
  private static final byte[] INPUT_LENGTH = MockJson.utf8(",\"input_length\":");
  private static final byte[] LAST_CLOSE = MockJson.utf8("}}\n\n");

  /** A vocabulary-sized range the mock's token ids are spread over. */
  private static final int TOKEN_ID_RANGE = 32_000;

  private final StreamedText text = new StreamedText();
  private int events;

  @Override
  public String streamContentType() {
    return "text/event-stream";
  }

  @Override
  public void writeChunkOpen(ByteBuf out, boolean reasoning) {
    events++;
    out.writeBytes(EVENT_OPEN);
    MockJson.writeDecimal(out, events);
    out.writeBytes(TOKEN_ID);
    MockJson.writeDecimal(out, (int) (events * 7919L % TOKEN_ID_RANGE));
    out.writeBytes(TOKEN_TEXT);
    text.markStart(out);
  }

  @Override
  public void writeChunkClose(ByteBuf out, boolean last, int promptTokens, int completionTokens) {
    text.keep(out);
    if (!last) {
      out.writeBytes(MIDDLE_CLOSE);
      return;
    }
    out.writeBytes(LAST_TOKEN_CLOSE);
    text.writeTo(out);
    out.writeBytes(DETAILS);
    MockJson.writeDecimal(out, completionTokens);
    out.writeBytes(INPUT_LENGTH);
    MockJson.writeDecimal(out, promptTokens);
    out.writeBytes(LAST_CLOSE);
  }

  @Override
  public void writeError(ByteBuf out, String message) {
    MockJson.writeEvent(
        out, "data:", MockJson.object().put("error", message).put("error_type", "generation"));
  }

  @Override
  public byte[] completeBody(List<String> outputs, int[] promptTokens, int outputTokens) {
    ObjectNode body = MockJson.object().put("generated_text", outputs.get(0));
    ObjectNode details =
        body.putObject("details")
            .put("finish_reason", "length")
            .put("generated_tokens", outputTokens);
    details.putNull("seed");
    details.putArray("prefill");
    details.putArray("tokens");
    return MockJson.bytes(body);
  }
}
