package dev.servebench.mock;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * How one protocol frames a generated answer, streamed or whole. One instance serves one request,
 * so it can hold that request's id and model; the hot per-token path only copies bytes.
 */
interface ResponseFormat {

  /** {@code Content-Type} of a streamed response. */
  String streamContentType();

  /** Writes what goes out at TTFT just before the first token; most formats write nothing. */
  void writeStreamHead(ByteBuf out);

  /** Writes the framing of one generated token whose text is {@code tokenUtf8}. */
  void writeToken(ByteBuf out, byte[] tokenUtf8, boolean last);

  /** Writes what follows the last token (usage, end marker); may write nothing. */
  void writeStreamTail(ByteBuf out, int promptTokens, int completionTokens);

  /**
   * The whole non-streamed JSON body: one generated text per prompt, each of {@code outputTokens}.
   */
  byte[] completeBody(List<String> outputs, int[] promptTokens, int outputTokens);
}
