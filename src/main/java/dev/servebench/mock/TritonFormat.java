package dev.servebench.mock;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Triton's generate extension as a TensorRT-LLM model answers it: a stream of {@code data:
 * {"model_name", "model_version", "text_output"}} events, each {@code text_output} the new text,
 * with no end marker and no token counts; or one JSON object of the same shape. An error after the
 * headers is an event {@code {"error": "..."}}.
 */
final class TritonFormat implements ResponseFormat {

  private static final byte[] EVENT_CLOSE = MockJson.utf8("\"}\n\n");

  private final String model;

  /** {@code data: {"model_name":...,"text_output":"}: what opens every event. */
  private final byte[] eventOpen;

  TritonFormat(String model) {
    this.model = model;
    this.eventOpen =
        MockJson.utf8(
            new StringBuilder("data: {\"model_name\":")
                .append(MockJson.quoted(model))
                .append(",\"model_version\":\"1\",\"text_output\":\"")
                .toString());
  }

  @Override
  public String streamContentType() {
    return "text/event-stream; charset=utf-8";
  }

  @Override
  public void writeChunkOpen(ByteBuf out, boolean reasoning) {
    out.writeBytes(eventOpen);
  }

  @Override
  public void writeChunkClose(ByteBuf out, boolean last, int promptTokens, int completionTokens) {
    out.writeBytes(EVENT_CLOSE);
  }

  @Override
  public void writeError(ByteBuf out, String message) {
    MockJson.writeEvent(out, "data: ", MockJson.object().put("error", message));
  }

  @Override
  public byte[] completeBody(List<String> outputs, int[] promptTokens, int outputTokens) {
    return MockJson.bytes(
        MockJson.object()
            .put("model_name", model)
            .put("model_version", "1")
            .put("text_output", outputs.get(0)));
  }
}
