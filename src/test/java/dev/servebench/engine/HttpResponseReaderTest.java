package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpResponseReaderTest {

  private static final Charset UTF8 = StandardCharsets.UTF_8;

  /** What the reader reported, in order. */
  private static final class Recorded implements HttpResponseReader.Events {
    final HttpResponseReader reader;
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    int status;
    String contentType;
    String retryAfter;
    Boolean keepAlive;
    int stopAfterBodyBytes = Integer.MAX_VALUE;

    Recorded(HttpResponseReader reader) {
      this.reader = reader;
    }

    @Override
    public void onHead() {
      events.add("head");
      status = reader.status();
      contentType = reader.contentType();
      retryAfter = reader.retryAfter();
    }

    @Override
    public void onBody(byte[] bytes, int offset, int length) {
      body.write(bytes, offset, length);
      if (body.size() >= stopAfterBodyBytes) {
        reader.stop();
      }
    }

    @Override
    public void onEnd(boolean keepAlive) {
      events.add("end");
      this.keepAlive = keepAlive;
    }

    String bodyText() {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  /** Feeds {@code response} in reads of the given sizes (the last read takes the rest). */
  private static Recorded read(String response, int... readSizes) {
    HttpResponseReader reader = new HttpResponseReader();
    reader.begin();
    Recorded recorded = new Recorded(reader);
    byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
    int at = 0;
    for (int i = 0; at < bytes.length; i++) {
      int size = i < readSizes.length ? readSizes[i] : bytes.length - at;
      size = Math.min(size, bytes.length - at);
      // The bytes of a read at an offset of a longer array, as a heap buffer can hold them.
      byte[] read = new byte[size + 6];
      Arrays.fill(read, (byte) 'x');
      System.arraycopy(bytes, at, read, 3, size);
      reader.read(read, 3, size, recorded);
      at += size;
    }
    return recorded;
  }

  private static void readWhole(HttpResponseReader reader, String response, Recorded recorded) {
    byte[] bytes = response.getBytes(UTF8);
    reader.read(bytes, 0, bytes.length, recorded);
  }

  private static final String SSE_CHUNKED =
      "HTTP/1.1 200 OK\r\n"
          + "Content-Type: text/event-stream\r\n"
          + "Transfer-Encoding: chunked\r\n"
          + "\r\n"
          + "F\r\n"
          + "data: {\"a\":1}\n\n\r\n"
          + "E;ext=\"v\"\r\n"
          + "data: [DONE]\n\n\r\n"
          + "0\r\n"
          + "X-Trailer: t\r\n"
          + "\r\n";

  @Test
  void chunkedBodyIsTheSameWhereverTheReadsSplitIt() {
    Recorded whole = read(SSE_CHUNKED);
    assertThat(whole.events).containsExactly("head", "end");
    assertThat(whole.status).isEqualTo(200);
    assertThat(whole.contentType).isEqualTo("text/event-stream");
    assertThat(whole.bodyText()).isEqualTo("data: {\"a\":1}\n\ndata: [DONE]\n\n");
    assertThat(whole.keepAlive).isTrue();
    int length = SSE_CHUNKED.length();
    for (int first = 1; first < length; first++) {
      for (int second = 1; first + second < length; second += 7) {
        Recorded split = read(SSE_CHUNKED, first, second, 1, 2, 3);
        assertThat(split.events).as("split %d/%d", first, second).containsExactly("head", "end");
        assertThat(split.bodyText()).isEqualTo(whole.bodyText());
      }
    }
  }

  @Test
  void chunkSizeLinesInEveryFormAServerMayWrite() {
    String data = "x".repeat(26);
    String response =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "1a\r\n" // lower case
            + data
            + "\r\n1A\r\n" // upper case
            + data
            + "\r\n001a\n" // leading zeros, bare LF
            + data
            + "\n1a \t\r\n" // whitespace before the end of the line
            + data
            + "\r\n1a;name=value\r\n" // an extension
            + data
            + "\r\n0\r\n\r\n";

    Recorded whole = read(response);
    Recorded byteAtATime = read(response, ones(response.length()));

    assertThat(whole.events).containsExactly("head", "end");
    assertThat(whole.bodyText()).isEqualTo(data.repeat(5));
    assertThat(byteAtATime.events).containsExactly("head", "end");
    assertThat(byteAtATime.bodyText()).isEqualTo(data.repeat(5));
  }

  private static int[] ones(int count) {
    int[] ones = new int[count];
    Arrays.fill(ones, 1);
    return ones;
  }

  @Test
  void byteAtATime() {
    int[] ones = new int[SSE_CHUNKED.length()];
    Arrays.fill(ones, 1);
    Recorded split = read(SSE_CHUNKED, ones);
    assertThat(split.events).containsExactly("head", "end");
    assertThat(split.bodyText()).isEqualTo("data: {\"a\":1}\n\ndata: [DONE]\n\n");
  }

  @Test
  void contentLengthBodyEndsAfterItsLength() {
    Recorded recorded =
        read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\nhello");
    assertThat(recorded.events).containsExactly("head", "end");
    assertThat(recorded.bodyText()).isEqualTo("hello");
    assertThat(recorded.keepAlive).isTrue();
    assertThat(recorded.contentType).isEqualTo("application/json");
  }

  @Test
  void headerNamesIgnoreCaseAndBareLineFeedsEndLines() {
    Recorded recorded = read("HTTP/1.1 429 Too Many\nRETRY-after:  7 \ncontent-LENGTH: 2\n\nno");
    assertThat(recorded.status).isEqualTo(429);
    assertThat(recorded.retryAfter).isEqualTo("7");
    assertThat(recorded.bodyText()).isEqualTo("no");
    assertThat(recorded.events).containsExactly("head", "end");
  }

  @Test
  void headersServebenchDoesNotReadAreSkippedWithTheirFoldedLines() {
    Recorded recorded =
        read(
            "HTTP/1.1 200 OK\r\nServer: uvicorn\r\nX-Trace: a\r\n content-type: wrong\r\n"
                + "Content-Type : text/plain\r\nContent-Typo: no\r\nDate: today\r\n"
                + "CONTENT-LENGTH: 2\r\n\r\nok");
    assertThat(recorded.contentType).isEqualTo("text/plain");
    assertThat(recorded.bodyText()).isEqualTo("ok");
    assertThat(recorded.events).containsExactly("head", "end");
  }

  @Test
  void bodyWithoutLengthEndsWithTheConnection() {
    String head = "HTTP/1.0 200 OK\r\n\r\n";
    Recorded recorded = read(head + "part one part two", head.length() + 9);
    assertThat(recorded.events).containsExactly("head");
    assertThat(recorded.reader.closed(recorded)).isTrue();
    assertThat(recorded.events).containsExactly("head", "end");
    assertThat(recorded.keepAlive).isFalse();
    assertThat(recorded.bodyText()).isEqualTo("part one part two");
  }

  @Test
  void closeBeforeTheFramedEndIsNotAnEnd() {
    Recorded recorded = read("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc");
    assertThat(recorded.reader.closed(recorded)).isFalse();
    assertThat(recorded.events).containsExactly("head");
  }

  @Test
  void keepAliveFollowsVersionAndConnectionField() {
    assertThat(read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keepAlive)
        .isFalse();
    assertThat(read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive).isFalse();
    assertThat(
            read("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")
                .keepAlive)
        .isTrue();
    // Framed by both: the chunked coding wins, and the connection is not reused.
    Recorded both =
        read(
            "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n");
    assertThat(both.bodyText()).isEqualTo("ok");
    assertThat(both.keepAlive).isFalse();
    // Transfer-Encoding in HTTP/1.0 is faulty framing: read, then closed (RFC 9112, 6.1).
    Recorded http10 =
        read(
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n");
    assertThat(http10.bodyText()).isEqualTo("ok");
    assertThat(http10.keepAlive).isFalse();
  }

  @Test
  void interimResponsesAreSkipped() {
    Recorded recorded =
        read(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    assertThat(recorded.events).containsExactly("head", "end");
    assertThat(recorded.status).isEqualTo(200);
    assertThat(recorded.bodyText()).isEqualTo("ok");
  }

  @Test
  void responsesWithoutBodyEndAtTheirHead() {
    Recorded noContent = read("HTTP/1.1 204 No Content\r\n\r\n");
    assertThat(noContent.events).containsExactly("head", "end");
    assertThat(noContent.keepAlive).isTrue();
  }

  @Test
  void foldedFieldIsJoinedWithASpace() {
    Recorded recorded =
        read("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream;\r\n charset=utf-8\r\n\r\n");
    assertThat(recorded.contentType).isEqualTo("text/event-stream; charset=utf-8");
  }

  @Test
  void transferCodingOtherThanChunkedLastIsReadUntilClose() {
    Recorded recorded = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz");
    assertThat(recorded.events).containsExactly("head");
    assertThat(recorded.reader.closed(recorded)).isTrue();
    assertThat(recorded.events).containsExactly("head", "end");
    assertThat(recorded.bodyText()).isEqualTo("zz");
  }

  @Test
  void stopInACallbackEndsReading() {
    HttpResponseReader reader = new HttpResponseReader();
    reader.begin();
    Recorded recorded = new Recorded(reader);
    recorded.stopAfterBodyBytes = 1;
    readWhole(reader, SSE_CHUNKED, recorded);
    assertThat(recorded.events).containsExactly("head");
    assertThat(recorded.bodyText()).isEqualTo("data: {\"a\":1}\n\n");
  }

  @Test
  void theReaderStartsOverForTheNextRequest() {
    HttpResponseReader reader = new HttpResponseReader();
    Recorded recorded = new Recorded(reader);
    for (int i = 0; i < 3; i++) {
      reader.begin();
      readWhole(reader, SSE_CHUNKED, recorded);
    }
    assertThat(recorded.events).containsExactly("head", "end", "head", "end", "head", "end");
  }

  @Test
  void malformedResponsesAreNamed() {
    assertMalformed("SSH-2.0-OpenSSH_9.6\r\n\r\n", "not an HTTP/1.x status line: 'SSH-2.0");
    assertMalformed("HTTP/2 200\r\n\r\n", "not an HTTP/1.x status line");
    assertMalformed("HTTP/1.1 2000 OK\r\n\r\n", "not an HTTP/1.x status line");
    assertMalformed("HTTP/1.1 099 Odd\r\n\r\n", "status 99");
    assertMalformed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "a header line without a name");
    assertMalformed("HTTP/1.1 200 OK\r\n: no name\r\n\r\n", "a header line without a name");
    assertMalformed("HTTP/1.1 200 OK\r\n folded\r\n\r\n", "folded header line");
    assertMalformed("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "invalid Content-Length");
    assertMalformed("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        "invalid Content-Length");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk-size line");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abcdef0\r\n",
        "chunk size too large");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
        "a chunk is longer than its chunk-size line said");
    assertMalformed("HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched protocols");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(HttpResponseReader.MAX_HEAD_BYTES) + "\r\n\r\n",
        "header section is longer than 65536 bytes");
    assertMalformed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;"
            + "e".repeat(HttpResponseReader.MAX_CHUNK_LINE_BYTES),
        "a chunk-size line is longer than 4096 bytes");
  }

  @Test
  void manyChunkSizeLinesDoNotCountAsHeaderBytes() {
    StringBuilder response =
        new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    int chunks = HttpResponseReader.MAX_HEAD_BYTES / 4;
    for (int i = 0; i < chunks; i++) {
      response.append("1\r\nx\r\n");
    }
    response.append("0\r\n\r\n");
    Recorded recorded = read(response.toString());
    assertThat(recorded.events).containsExactly("head", "end");
    assertThat(recorded.body.size()).isEqualTo(chunks);
  }

  @Test
  void controlCharactersInMessagesAreEscaped() {
    assertThatThrownBy(() -> read("\u0007bell\r\n\r\n")).hasMessageContaining("'\\x07bell'");
    // Cut at 80 characters of message, escapes counted: the cut is marked.
    assertThatThrownBy(() -> read("\u0001".repeat(40) + "\r\n\r\n"))
        .hasMessageEndingWith("\\x01\\x01...'");
  }

  private static void assertMalformed(String response, String messagePart) {
    assertThatThrownBy(() -> read(response))
        .as(response)
        .isInstanceOf(HttpResponseReader.MalformedResponseException.class)
        .hasMessageContaining(messagePart);
  }
}
