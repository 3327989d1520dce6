package dev.servebench.mock;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * How one protocol frames a generated answer, streamed or whole. One instance serves one request,
 * so it can hold that request's id and model; the hot per-chunk path only copies bytes.
 *
 * <p>A streamed chunk is {@link #writeChunkOpen}, the tokens' text, then {@link #writeChunkClose};
 * the text needs no escaping because generated tokens are plain letters and spaces.
 */
interface ResponseFormat {

  /** {@code Content-Type} of a streamed response. */
  String streamContentType();

  /** Writes what goes out at TTFT just before the first token; most formats write nothing. */
  default void writeStreamHead(ByteBuf out) {}

  /** Opens a chunk of reasoning or answer text; formats without reasoning treat both alike. */
  void writeChunkOpen(ByteBuf out, boolean reasoning);

  /**
   * Closes a chunk.
   *
   * @param completionTokens tokens written so far, this chunk's included, for running usage
   */
  void writeChunkClose(ByteBuf out, boolean last, int promptTokens, int completionTokens);

  /** Writes the usage that follows the last chunk, if the request and format want it there. */
  default void writeUsage(ByteBuf out, int promptTokens, int completionTokens) {}

  /** Writes the end-of-stream marker, if the format has one. */
  default void writeDone(ByteBuf out) {}

  /** Writes an error report in the middle of a stream. */
  void writeError(ByteBuf out, String message);

  /**
   * Writes a chunk holding {@code tokenUtf8} that breaks off before its framing is complete: by
   * default an event that ends inside its text string, so its JSON never closes.
   */
  default void writeMalformedChunk(ByteBuf out, byte[] tokenUtf8) {
    writeChunkOpen(out, false);
    out.writeBytes(tokenUtf8).writeBytes(MockJson.BLANK_LINE);
  }

  /**
   * The whole non-streamed JSON body: one generated text per prompt, each of {@code outputTokens}.
   */
  byte[] completeBody(List<String> outputs, int[] promptTokens, int outputTokens);
}
