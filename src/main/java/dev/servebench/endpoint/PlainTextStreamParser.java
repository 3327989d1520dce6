package dev.servebench.endpoint;

import dev.servebench.record.FailureReason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The LLM-on-Ray simple endpoint's streamed body: raw UTF-8 text with no framing, so each read of
 * the body is one chunk. A character split across reads is held back until its last byte arrives;
 * bytes that can never be UTF-8 fail the request.
 */
final class PlainTextStreamParser implements ResponseParser {

  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  /** Up to three bytes of a character whose remaining bytes are still to come. */
  private final ByteBuffer pending = ByteBuffer.allocate(8);

  private CharBuffer chars = CharBuffer.allocate(256);
  private boolean failed;

  @Override
  public void onBody(
      byte[] bytes, int offset, int length, long arrivalNanos, ResponseEvents events) {
    if (failed || length == 0) {
      return;
    }
    ByteBuffer input = withPending(bytes, offset, length);
    chars.clear();
    if (chars.capacity() < length + 4) {
      chars = CharBuffer.allocate(length + 4);
    }
    CoderResult result = decoder.decode(input, chars, false);
    if (result.isError()) {
      fail(events, "invalid UTF-8 in the response body");
      return;
    }
    pending.clear();
    pending.put(input); // the start of a character that continues in the next read
    chars.flip();
    if (chars.hasRemaining()) {
      events.onStreamedOutput(chars.toString(), false, arrivalNanos);
    }
  }

  @Override
  public void onEnd(ResponseEvents events) {
    if (failed) {
      return;
    }
    pending.flip();
    try {
      CharBuffer rest = decoder.decode(pending); // throws if a character was left incomplete
      if (rest.hasRemaining()) {
        events.onStreamedOutput(rest.toString(), false, System.nanoTime());
      }
    } catch (CharacterCodingException truncated) {
      fail(events, "response body ends inside a UTF-8 character");
    }
  }

  private ByteBuffer withPending(byte[] bytes, int offset, int length) {
    if (pending.position() == 0) {
      return ByteBuffer.wrap(bytes, offset, length);
    }
    pending.flip();
    ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + length);
    joined.put(pending).put(bytes, offset, length).flip();
    return joined;
  }

  private void fail(ResponseEvents events, String message) {
    failed = true;
    events.onFailure(FailureReason.PARSE, message);
  }
}
