package dev.servebench.endpoint;

import dev.servebench.record.FailureReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An OpenAI-style {@code text/event-stream} body: SSE events whose data is a JSON chunk, ended by
 * {@code data: [DONE]}. Every event of one read shares that read's arrival time. A body that ends
 * cleanly without {@code [DONE]} is complete when its usage event (usage without text, the stream's
 * last event) came: some servers omit the marker.
 */
final class OpenAiStreamParser implements ResponseParser, SseParser.Listener {

  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private static final int QUOTED_BYTES = 160;

  private final SseParser sse = new SseParser();
  private final OpenAiPayload payload = new OpenAiPayload();
  private ResponseEvents events;
  private long arrivalNanos;
  private boolean failed;
  private boolean endMarkerSeen;
  private boolean finalUsageSeen;
  private boolean eventSeen;

  /** The body's first bytes, kept until an event comes, to quote a body that holds none. */
  private final byte[] bodyStart = new byte[QUOTED_BYTES];

  private int bodyStartLength;

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
    if (!failed && !endMarkerSeen && !finalUsageSeen) {
      // Without [DONE] or the usage event nothing says the server finished: a proxy or crash may
      // have cut the stream at an event boundary.
      fail(
          FailureReason.STREAM_CUT,
          "event stream ended without data: [DONE] and before its usage event");
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
