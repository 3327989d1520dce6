package dev.servebench.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
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
        "{\"index\":0,\"delta\":{\"content\":",
        "}"),
    COMPLETION("cmpl-", "text_completion", "text_completion", "{\"index\":0,\"text\":", "");

    private final String idPrefix;
    private final String object;
    private final String chunkObject;
    private final byte[] choiceOpen;
    private final byte[] middleChoiceClose;
    private final byte[] lastChoiceClose;

    /** {@code textClose} closes what {@code choiceOpen} opened around the text (chat's delta). */
    Kind(String idPrefix, String object, String chunkObject, String choiceOpen, String textClose) {
      this.idPrefix = idPrefix;
      this.object = object;
      this.chunkObject = chunkObject;
      this.choiceOpen = MockJson.utf8(choiceOpen);
      this.middleChoiceClose =
          MockJson.utf8(textClose + ",\"logprobs\":null,\"finish_reason\":null}]}\n\n");
      this.lastChoiceClose =
          MockJson.utf8(textClose + ",\"logprobs\":null,\"finish_reason\":\"length\"}]}\n\n");
    }
  }

  private static final byte[] ROLE_CHOICE =
      MockJson.utf8(
          "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
              + "\"logprobs\":null,\"finish_reason\":null}]}\n\n");
  private static final byte[] DONE = MockJson.utf8("data: [DONE]\n\n");

  private final Kind kind;
  private final String id;
  private final long createdSeconds;
  private final String model;
  private final boolean sendRoleChunk;
  private final boolean includeUsage;

  /**
   * The opening every event of this stream shares: {@code data: {"id":...,"model":...,"choices":[}.
   */
  private final byte[] eventOpen;

  OpenAiFormat(
      Kind kind,
      long requestNumber,
      long createdSeconds,
      String model,
      boolean sendRoleChunk,
      boolean includeUsage) {
    this.kind = kind;
    this.id = kind.idPrefix + "mock-" + requestNumber;
    this.createdSeconds = createdSeconds;
    this.model = model;
    this.sendRoleChunk = sendRoleChunk && kind == Kind.CHAT;
    this.includeUsage = includeUsage;
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
  public void writeToken(ByteBuf out, byte[] tokenUtf8, boolean last) {
    // Output tokens are plain letters and spaces, so the quoted JSON string is the bytes in quotes.
    out.writeBytes(eventOpen)
        .writeBytes(kind.choiceOpen)
        .writeByte('"')
        .writeBytes(tokenUtf8)
        .writeByte('"')
        .writeBytes(last ? kind.lastChoiceClose : kind.middleChoiceClose);
  }

  @Override
  public void writeStreamTail(ByteBuf out, int promptTokens, int completionTokens) {
    if (includeUsage) {
      String usage =
          "],\"usage\":{\"prompt_tokens\":"
              + promptTokens
              + ",\"completion_tokens\":"
              + completionTokens
              + ",\"total_tokens\":"
              + (promptTokens + completionTokens)
              + "}}\n\n";
      out.writeBytes(eventOpen).writeBytes(MockJson.utf8(usage));
    }
    out.writeBytes(DONE);
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
