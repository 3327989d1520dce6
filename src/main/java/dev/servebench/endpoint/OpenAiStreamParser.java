package dev.servebench.endpoint;

import dev.servebench.record.FailureReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A {@code text/event-stream} body whose events are JSON objects: OpenAI's chunks, and the native
 * protocols framed the same way ({@link OpenAiPayload.Dialect}). Every event of one read shares
 * that read's arrival time. What says the stream is whole differs by protocol:
 *
 * <ul>
 *   <li>OpenAI and SGLang: {@code data: [DONE]}; an OpenAI body that ends cleanly without it is
 *       whole when its usage event (usage without text, the stream's last event) came, since some
 *       servers omit the marker.
 *   <li>TGI: its last event, the one carrying {@code generated_text}.
 *   <li>Triton: nothing but the body's clean end, as its protocol has no end marker.
 * </ul>
 *
 * <p>A TGI event of a special token (the end of sequence) is a chunk like any other, its text
 * included: the server generated it and counts it in {@code details.generated_tokens}, though its
 * {@code generated_text} leaves special tokens out.
 *
 * <p>SGLang sends the whole text so far in each event: an event's chunk is what its text adds to
 * the previous event's ({@link OpenAiPayload.Dialect#SGLANG}).
 */
final class OpenAiStreamParser implements ResponseParser, SseParser.Listener {

  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private static final int QUOTED_BYTES = 160;

  private final SseParser sse = new SseParser();
  private final OpenAiPayload.Dialect dialect;
  private final OpenAiPayload payload;

  /** TGI: the event with {@code generated_text} came. */
  private boolean lastEventSeen;

  private ResponseEvents events;
  private long arrivalNanos;
  private boolean failed;
  private boolean endMarkerSeen;
  private boolean finalUsageSeen;
  private boolean eventSeen;

  /** The body's first bytes, kept until an event comes, to quote a body that holds none. */
  private final byte[] bodyStart = new byte[QUOTED_BYTES];

  private int bodyStartLength;

  /** A parser of OpenAI's chunks. */
  OpenAiStreamParser() {
    this(OpenAiPayload.Dialect.OPENAI);
  }

  OpenAiStreamParser(OpenAiPayload.Dialect dialect) {
    this.dialect = dialect;
    this.payload = new OpenAiPayload(dialect);
  }

  /**
   * The parser for a response of a protocol whose bodies are JSON: its event stream when a stream
   * was asked for and the server did not answer with one JSON object, else that object.
   */
  static ResponseParser forResponse(
      OpenAiPayload.Dialect dialect, boolean streamRequested, String contentType) {
    return streamRequested && !EndpointAdapter.isJson(contentType)
        ? new OpenAiStreamParser(dialect)
        : new OpenAiJsonParser(dialect);
  }

  @Override
  public void onBody(
      byte[] bytes, int offset, int length, long arrivalNanos, ResponseEvents events) {
    this.events = events;
    this.arrivalNanos = arrivalNanos;
    if (!eventSeen && bodyStartLength < QUOTED_BYTES) {
      int kept = Math.min(length, QUOTED_BYTES - bodyStartLength);
      System.arraycopy(bytes, offset, bodyStart, bodyStartLength, kept);
      bodyStartLength += kept;
    }
    sse.feed(bytes, offset, length, this);
  }

  @Override
  public void onEnd(ResponseEvents events) {
    this.events = events;
    sse.finish(this);
    if (!failed && !eventSeen && bodyStartLength > 0) {
      fail(
          FailureReason.NOT_EVENT_STREAM,
          "the body is not an event stream (no data: event in it), it starts: "
              + new String(bodyStart, 0, bodyStartLength, StandardCharsets.UTF_8)
                  .replaceAll("\\s+", " ")
                  .strip());
      return;
    }
    if (failed) {
      return;
    }
    // Without its end nothing says the server finished: a proxy or crash may have cut the stream
    // at an event boundary.
    switch (dialect) {
      case TGI -> {
        if (!lastEventSeen) {
          fail(
              FailureReason.STREAM_CUT,
              "event stream ended before its last event (the one with generated_text)");
        }
      }
      case TRITON, EMBEDDINGS -> {}
      case OPENAI, SGLANG -> {
        if (!endMarkerSeen && !(finalUsageSeen && dialect == OpenAiPayload.Dialect.OPENAI)) {
          fail(
              FailureReason.STREAM_CUT,
              dialect == OpenAiPayload.Dialect.OPENAI
                  ? "event stream ended without data: [DONE] and before its usage event"
                  : "event stream ended without data: [DONE]");
        }
      }
    }
  }

  @Override
  public void onEvent(String eventType, byte[] data, int offset, int length) {
    eventSeen = true;
    if (failed) {
      return;
    }
    if (isDone(data, offset, length)) {
      endMarkerSeen = true;
      events.onEndMarker();
      return;
    }
    if ("error".equals(eventType)) {
      fail(
          FailureReason.SERVER_ERROR,
          ResponseParser.serverErrorMessage(
              new String(data, offset, length, StandardCharsets.UTF_8)));
      return;
    }
    try {
      payload.read(data, offset, length);
    } catch (IOException malformed) {
      fail(
          FailureReason.PARSE,
          "malformed JSON in SSE event: "
              + OpenAiPayload.describe(malformed)
              + " in: "
              + new String(data, offset, Math.min(length, 200), StandardCharsets.UTF_8));
      return;
    }
    if (payload.errorMessage != null) {
      fail(FailureReason.SERVER_ERROR, ResponseParser.serverErrorMessage(payload.errorMessage));
      return;
    }
    String reasoning = payload.reasoning == null ? "" : payload.reasoning;
    String content = payload.content == null ? "" : payload.content;
    if (payload.wholeText != null) {
      lastEventSeen = true;
    }
    if (!reasoning.isEmpty() || !content.isEmpty()) {
      // One event is one chunk, even in the rare delta that carries reasoning and answer at once.
      // (Concatenating with "" would copy the string: the language requires a new one.)
      String text =
          reasoning.isEmpty() ? content : content.isEmpty() ? reasoning : reasoning + content;
      events.onStreamedOutput(text, content.isEmpty(), arrivalNanos);
    }
    if (payload.promptTokens >= 0 || payload.completionTokens >= 0) {
      events.onUsage(payload.promptTokens, payload.completionTokens);
      if (reasoning.isEmpty() && content.isEmpty()) {
        finalUsageSeen = true;
      }
    }
  }

  private void fail(FailureReason reason, String message) {
    failed = true;
    events.onFailure(reason, message);
  }

  private static boolean isDone(byte[] data, int offset, int length) {
    if (length != DONE.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (data[offset + i] != DONE[i]) {
        return false;
      }
    }
    return true;
  }
}
