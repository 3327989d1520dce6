package dev.servebench.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The OpenAI chat and text completion responses, in the shapes vLLM sends: a stream of {@code data:
 * <json>} events ending in {@code data: [DONE]}, or one JSON object.
 */
final class OpenAiFormat implements ResponseFormat {

  /** The two OpenAI generation endpoints; they differ only in names and where the text sits. */
  enum Kind {
    CHAT(
        "chatcmpl-",
        "chat.completion",
        "chat.completion.chunk",
        "{\"index\":0,\"delta\":{\"content\":\"",
        "{\"index\":0,\"delta\":{\"reasoning_content\":\"",
        "}"),
    COMPLETION(
        "cmpl-",
        "text_completion",
        "text_completion",
        "{\"index\":0,\"text\":\"",
        "{\"index\":0,\"text\":\"",
        "");

    private final String idPrefix;
    private final String object;
    private final String chunkObject;
    private final byte[] contentOpen;
    private final byte[] reasoningOpen;
    private final byte[] middleChoiceClose;
    private final byte[] lastChoiceClose;

    /**
     * The opens start the choice and the text's string; {@code textClose} closes what they opened
     * around the text (chat's delta).
     */
    Kind(
        String idPrefix,
        String object,
        String chunkObject,
        String contentOpen,
        String reasoningOpen,
        String textClose) {
      this.idPrefix = idPrefix;
      this.object = object;
      this.chunkObject = chunkObject;
      this.contentOpen = MockJson.utf8(contentOpen);
      this.reasoningOpen = MockJson.utf8(reasoningOpen);
      this.middleChoiceClose =
          MockJson.utf8("\"" + textClose + ",\"logprobs\":null,\"finish_reason\":null}]");
      this.lastChoiceClose =
          MockJson.utf8("\"" + textClose + ",\"logprobs\":null,\"finish_reason\":\"length\"}]");
    }
  }

  private static final byte[] ROLE_CHOICE =
      MockJson.utf8(
          "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
              + "\"logprobs\":null,\"finish_reason\":null}]}\n\n");
  private static final byte[] EVENT_CLOSE = MockJson.utf8("}\n\n");
  private static final byte[] DONE = MockJson.utf8("data: [DONE]\n\n");
  private static final byte[] BLANK_LINE = MockJson.utf8("\n\n");

  private final Kind kind;
  private final String id;
  private final long createdSeconds;
  private final String model;
  private final boolean sendRoleChunk;
  private final boolean usageInEveryChunk;
  private final boolean usageInLastChunk;
  private final boolean usageAfterLastChunk;

  /**
   * The opening every event of this stream shares: {@code data: {"id":...,"model":...,"choices":[}.
   */
  private final byte[] eventOpen;

  /**
   * @param includeUsage whether the request asked for usage ({@code stream_options.include_usage})
   * @param usagePlacement where the server puts usage that was asked for
   */
  OpenAiFormat(
      Kind kind,
      long requestNumber,
      long createdSeconds,
      String model,
      boolean sendRoleChunk,
      boolean includeUsage,
      UsagePlacement usagePlacement) {
    this.kind = kind;
    this.id = kind.idPrefix + "mock-" + requestNumber;
    this.createdSeconds = createdSeconds;
    this.model = model;
    this.sendRoleChunk = sendRoleChunk && kind == Kind.CHAT;
    this.usageInEveryChunk = includeUsage && usagePlacement == UsagePlacement.CONTINUOUS;
    this.usageInLastChunk = includeUsage && usagePlacement == UsagePlacement.IN_LAST_CONTENT;
    this.usageAfterLastChunk =
        includeUsage
            && (usagePlacement == UsagePlacement.SEPARATE
                || usagePlacement == UsagePlacement.CONTINUOUS);
    this.eventOpen =
        MockJson.utf8(
            "data: {\"id\":\""
                + id
                + "\",\"object\":\""
                + kind.chunkObject
                + "\",\"created\":"
                + createdSeconds
                + ",\"model\":"
                + MockJson.quoted(model)
                + ",\"choices\":[");
  }

  @Override
  public String streamContentType() {
    return "text/event-stream";
  }

  @Override
  public void writeStreamHead(ByteBuf out) {
    if (sendRoleChunk) {
      out.writeBytes(eventOpen).writeBytes(ROLE_CHOICE);
    }
  }

  @Override
  public void writeChunkOpen(ByteBuf out, boolean reasoning) {
    out.writeBytes(eventOpen).writeBytes(reasoning ? kind.reasoningOpen : kind.contentOpen);
  }

  @Override
  public void writeChunkClose(ByteBuf out, boolean last, int promptTokens, int completionTokens) {
    out.writeBytes(last ? kind.lastChoiceClose : kind.middleChoiceClose);
    if (usageInEveryChunk || (last && usageInLastChunk)) {
      writeUsageField(out, promptTokens, completionTokens);
    }
    out.writeBytes(EVENT_CLOSE);
  }

  @Override
  public void writeUsage(ByteBuf out, int promptTokens, int completionTokens) {
    if (usageAfterLastChunk) {
      out.writeBytes(eventOpen).writeByte(']');
      writeUsageField(out, promptTokens, completionTokens);
      out.writeBytes(EVENT_CLOSE);
    }
  }

  /** Writes {@code ,"usage":{...}}; allocates, but only in events that carry usage. */
  private static void writeUsageField(ByteBuf out, int promptTokens, int completionTokens) {
    String usage =
        ",\"usage\":{\"prompt_tokens\":"
            + promptTokens
            + ",\"completion_tokens\":"
            + completionTokens
            + ",\"total_tokens\":"
            + (promptTokens + completionTokens)
            + "}";
    out.writeCharSequence(usage, StandardCharsets.US_ASCII);
  }

  @Override
  public void writeDone(ByteBuf out) {
    out.writeBytes(DONE);
  }

  /** As vLLM reports an error after status 200: an event holding only an error object. */
  @Override
  public void writeError(ByteBuf out, String message) {
    out.writeBytes(MockJson.utf8("data: "))
        .writeBytes(MockJson.error(message, "server_error"))
        .writeBytes(BLANK_LINE);
  }

  @Override
  public byte[] completeBody(List<String> outputs, int[] promptTokens, int outputTokens) {
    ObjectNode body = MockJson.object();
    body.put("id", id)
        .put("object", kind.object)
        .put("created", createdSeconds)
        .put("model", model);
    ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
    if (kind == Kind.CHAT) {
      choice.putObject("message").put("role", "assistant").put("content", outputs.get(0));
    } else {
      choice.put("text", outputs.get(0));
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", "length");
    body.set("usage", usage(promptTokens[0], outputTokens));
    return MockJson.bytes(body);
  }

  private static ObjectNode usage(int promptTokens, int completionTokens) {
    return MockJson.object()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
  }
}
