package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The hand-written reader against Netty's {@link HttpResponseDecoder}, the codec it replaced.
 * Generated connections of one to three responses are read by both; for each response they must
 * agree on the status, the fields the reader exposes (Content-Type, Retry-After, and keep-alive
 * from Connection and the version), the body bytes, and where the response ends: at its last byte,
 * wherever the reads cut the bytes, or at the connection's close. Malformed responses must be
 * refused by both. Where the two differ on purpose, {@link #deliberateDifferences} states each
 * difference and its reason.
 */
class HttpResponseReaderOracleTest {

  private static final long SEED = 2026_04_19;
  private static final int VALID_CONNECTIONS = 400;
  private static final int MALFORMED_CONNECTIONS = 200;

  /**
   * What one side made of one response. A refused, unfinished or early-ended response has its own
   * value and is the last of its connection.
   */
  record Outcome(
      int status,
      String contentType,
      String retryAfter,
      String body,
      boolean keepAlive,
      boolean endedByClose) {

    static final Outcome REJECTED = marker(-1);
    static final Outcome INCOMPLETE = marker(-2);
    static final Outcome ENDED_EARLY = marker(-3);

    private static Outcome marker(int status) {
      return new Outcome(status, null, null, "", false, false);
    }

    static Outcome ok(int status, String body, boolean keepAlive) {
      return new Outcome(status, null, null, body, keepAlive, false);
    }

    static Outcome untilClose(int status, String body) {
      return new Outcome(status, null, null, body, false, true);
    }

    @Override
    public String toString() {
      return switch (status) {
        case -1 -> "REJECTED";
        case -2 -> "INCOMPLETE";
        case -3 -> "ENDED_EARLY";
        default ->
            status
                + " content-type="
                + printable(contentType, 80)
                + " retry-after="
                + printable(retryAfter, 80)
                + " keep-alive="
                + keepAlive
                + (endedByClose ? " ended-by-close" : "")
                + " body="
                + printable(body, 200);
      };
    }
  }

  /** One side's outcomes for a connection, and what it said when it refused the bytes. */
  private record Reading(List<Outcome> outcomes, String note) {}

  /** A connection's responses, one array each (interim responses with their final one). */
  private record Connection(String label, List<byte[]> responses) {
    byte[] stream() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      responses.forEach(out::writeBytes);
      return out.toByteArray();
    }
  }

  /** The reader's callbacks for one response, checked for their order as they come. */
  private static final class Recorder implements HttpResponseReader.Events {
    final HttpResponseReader reader;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean head;
    boolean ended;
    boolean keepAlive;
    boolean endedByClose;
    int status;
    String contentType;
    String retryAfter;

    Recorder(HttpResponseReader reader) {
      this.reader = reader;
    }

    @Override
    public void onHead() {
      if (head) {
        throw new AssertionError("a second onHead");
      }
      head = true;
      status = reader.status();
      contentType = reader.contentType();
      retryAfter = reader.retryAfter();
    }

    @Override
    public void onBody(byte[] bytes, int offset, int length) {
      if (!head || ended) {
        throw new AssertionError("onBody outside head..end");
      }
      body.write(bytes, offset, length);
    }

    @Override
    public void onEnd(boolean keepAlive) {
      if (!head || ended) {
        throw new AssertionError("onEnd without a head, or twice");
      }
      ended = true;
      this.keepAlive = keepAlive;
    }

    Outcome outcome() {
      return new Outcome(
          status,
          contentType,
          retryAfter,
          body.toString(StandardCharsets.ISO_8859_1),
          keepAlive,
          endedByClose);
    }
  }

  /**
   * Reads {@code connection} as ClientHandler does: {@code begin()} before each response, its bytes
   * in reads that end at the response's end and at each of {@code cuts} (indices into the whole
   * stream), and the close after the last. Each read sits in a longer array between line feeds, so
   * reading outside it shows. A response that ends in a read before the one with its last byte has
   * ended early.
   */
  private static Reading readByReader(Connection connection, int[] cuts) {
    HttpResponseReader reader = new HttpResponseReader();
    List<Outcome> outcomes = new ArrayList<>();
    int start = 0;
    int next = 0;
    for (int k = 0; k < connection.responses().size(); k++) {
      byte[] bytes = connection.responses().get(k);
      Recorder recorder = new Recorder(reader);
      reader.begin();
      int from = 0;
      try {
        while (from < bytes.length) {
          while (next < cuts.length && cuts[next] <= start + from) {
            next++;
          }
          int to = next < cuts.length ? Math.min(cuts[next] - start, bytes.length) : bytes.length;
          byte[] read = new byte[to - from + 6];
          Arrays.fill(read, (byte) '\n');
          System.arraycopy(bytes, from, read, 3, to - from);
          reader.read(read, 3, to - from, recorder);
          if (recorder.ended && to < bytes.length) {
            outcomes.add(Outcome.ENDED_EARLY);
            return new Reading(outcomes, "ended in the read up to byte " + to);
          }
          from = to;
        }
      } catch (HttpResponseReader.MalformedResponseException malformed) {
        outcomes.add(Outcome.REJECTED);
        return new Reading(outcomes, malformed.getMessage());
      }
      boolean last = k == connection.responses().size() - 1;
      if (!recorder.ended) {
        if (last && reader.closed(recorder)) {
          recorder.endedByClose = true;
        } else {
          outcomes.add(Outcome.INCOMPLETE);
          return new Reading(outcomes, null);
        }
      }
      outcomes.add(recorder.outcome());
      start += bytes.length;
    }
    return new Reading(outcomes, null);
  }

  /**
   * Netty's decoder at the reader's limits and leniencies: its one line limit covers status and
   * chunk-size lines, and is the reader's chunk-size line limit; its header limit is the reader's
   * head limit; a bare LF may end a head line; and a Content-Length repeated with one value is that
   * value (RFC 9110, 8.6), as the reader reads them. The rest is Netty's default.
   */
  private static HttpResponseDecoder nettyDecoder() {
    return new HttpResponseDecoder(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(HttpResponseReader.MAX_CHUNK_LINE_BYTES)
            .setMaxHeaderSize(HttpResponseReader.MAX_HEAD_BYTES)
            .setStrictLineParsing(false)
            .setAllowDuplicateContentLengths(true));
  }

  /** Gathers Netty's messages into outcomes: interim (1xx but 101) responses are skipped. */
  private static final class NettyOutcomes {
    final List<Outcome> outcomes = new ArrayList<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    HttpResponse response;
    boolean interim;
    boolean stopped;
    String note;

    void drain(EmbeddedChannel channel, boolean closed) {
      Object message;
      while ((message = channel.readInbound()) != null) {
        try {
          take(message, closed);
        } finally {
          ReferenceCountUtil.release(message);
        }
      }
    }

    private void take(Object message, boolean closed) {
      if (stopped) {
        return;
      }
      if (message instanceof HttpObject object && object.decoderResult().isFailure()) {
        Throwable cause = object.decoderResult().cause();
        // A close in the head is Netty's way to say the response did not come whole.
        outcomes.add(
            cause instanceof PrematureChannelClosureException
                ? Outcome.INCOMPLETE
                : Outcome.REJECTED);
        note = cause.toString();
        stopped = true;
        return;
      }
      if (message instanceof HttpResponse head) {
        int code = head.status().code();
        interim = code >= 100 && code < 200 && code != 101;
        if (!interim) {
          response = head;
          body.reset();
        }
      }
      if (message instanceof HttpContent content && !interim) {
        byte[] bytes = new byte[content.content().readableBytes()];
        content.content().getBytes(content.content().readerIndex(), bytes);
        body.writeBytes(bytes);
      }
      if (message instanceof LastHttpContent) {
        if (interim) {
          interim = false;
          return;
        }
        List<String> contentTypes = response.headers().getAll(HttpHeaderNames.CONTENT_TYPE);
        List<String> retryAfters = response.headers().getAll(HttpHeaderNames.RETRY_AFTER);
        outcomes.add(
            new Outcome(
                response.status().code(),
                contentTypes.isEmpty() ? null : String.join(", ", contentTypes),
                retryAfters.isEmpty() ? null : String.join(", ", retryAfters),
                body.toString(StandardCharsets.ISO_8859_1),
                HttpUtil.isKeepAlive(response) && !closed,
                closed));
      }
    }
  }

  /**
   * Reads {@code connection} with Netty's decoder, each response written as all but its last byte
   * and then that byte: a response must end on its last byte, not before (then it ended early),
   * else at the close after the last response.
   */
  private static Reading readByNetty(Connection connection) {
    EmbeddedChannel channel = new EmbeddedChannel(nettyDecoder());
    NettyOutcomes netty = new NettyOutcomes();
    List<byte[]> responses = connection.responses();
    for (int k = 0; k < responses.size() && !netty.stopped; k++) {
      byte[] bytes = responses.get(k);
      channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, bytes.length - 1));
      netty.drain(channel, false);
      if (netty.stopped) {
        break;
      }
      if (netty.outcomes.size() > k) {
        netty.outcomes.set(k, Outcome.ENDED_EARLY);
        break;
      }
      channel.writeInbound(Unpooled.wrappedBuffer(bytes, bytes.length - 1, 1));
      netty.drain(channel, false);
      if (netty.stopped || netty.outcomes.size() > k) {
        continue;
      }
      if (k == responses.size() - 1) {
        channel.finish();
        netty.drain(channel, true);
      }
      if (!netty.stopped && netty.outcomes.size() == k) {
        netty.outcomes.add(Outcome.INCOMPLETE);
      }
      break;
    }
    channel.finishAndReleaseAll();
    return new Reading(netty.outcomes, netty.note);
  }

  /** Connections longer than this are cut in two at every index of their ends only. */
  private static final int EVERY_CUT_BYTES = 4096;

  /**
   * Where to cut a connection of {@code length} bytes in two: at every index; or, over {@link
   * #EVERY_CUT_BYTES} (a head or line made too long on purpose), at every index of its first and
   * last 64 bytes and at 16 between: every index of 64 KiB, each read copied, would take most of
   * the test's time.
   */
  private static int[] cutPoints(int length) {
    if (length <= EVERY_CUT_BYTES) {
      return IntStream.range(1, length).toArray();
    }
    return IntStream.concat(
            IntStream.concat(IntStream.range(1, 64), IntStream.range(length - 63, length)),
            IntStream.range(1, 16).map(i -> (int) ((long) length * i / 16)))
        .sorted()
        .distinct()
        .toArray();
  }

  /**
   * Netty's reading of {@code connection} against the reader's: the reads whole, cut in two at each
   * of {@link #cutPoints}, and (when told, and not too long) byte by byte.
   *
   * @return Netty's reading
   */
  private static Reading assertReadAsNettyReadsIt(Connection connection, boolean byteByByte) {
    Reading netty = readByNetty(connection);
    byte[] stream = connection.stream();
    assertSame(connection, "whole", readByReader(connection, new int[0]), netty);
    int[] cut = new int[1];
    for (int at : cutPoints(stream.length)) {
      cut[0] = at;
      assertSame(connection, "cut at " + at, readByReader(connection, cut), netty);
    }
    if (byteByByte && stream.length <= EVERY_CUT_BYTES) {
      int[] everyByte = new int[Math.max(0, stream.length - 1)];
      Arrays.setAll(everyByte, i -> i + 1);
      assertSame(connection, "byte by byte", readByReader(connection, everyByte), netty);
    }
    return netty;
  }

  private static void assertSame(
      Connection connection, String reads, Reading reader, Reading netty) {
    if (!reader.outcomes().equals(netty.outcomes())) {
      throw new AssertionError(
          connection.label()
              + ", reads "
              + reads
              + "\n  reader: "
              + reader.outcomes()
              + (reader.note() == null ? "" : " (" + reader.note() + ")")
              + "\n  netty:  "
              + netty.outcomes()
              + (netty.note() == null ? "" : " (" + netty.note() + ")")
              + "\n  bytes:  "
              + printable(new String(connection.stream(), StandardCharsets.ISO_8859_1), 3000));
    }
  }

  @Test
  void generatedResponsesAreReadAsNettyReadsThem() {
    Generator generator = new Generator(new Random(SEED));
    int responses = 0;
    for (int i = 0; i < VALID_CONNECTIONS; i++) {
      Connection connection = generator.connection("valid case " + i, Malformation.NONE);
      Reading netty = assertReadAsNettyReadsIt(connection, i % 4 == 0);
      // The generator writes only what Netty reads: a refusal here is the generator's mistake.
      assertThat(netty.outcomes())
          .as(connection.label() + ": " + netty.note())
          .hasSize(connection.responses().size())
          .allMatch(outcome -> outcome.status() >= 100);
      responses += connection.responses().size();
    }
    assertThat(responses).isGreaterThan(VALID_CONNECTIONS * 3 / 2);
    // Each form the reader must read came up often enough to count.
    assertThat(generator.built)
        .as("what the generator built")
        .containsOnlyKeys(Generator.FEATURES)
        .allSatisfy((feature, count) -> assertThat(count).as(feature).isGreaterThanOrEqualTo(10));
  }

  @Test
  void malformedResponsesAreRefusedByBoth() {
    Generator generator = new Generator(new Random(SEED + 1));
    Malformation[] kinds = Malformation.values();
    int refused = 0;
    for (int i = 0; i < MALFORMED_CONNECTIONS; i++) {
      Malformation kind = kinds[1 + i % (kinds.length - 1)];
      Connection connection = generator.connection("malformed case " + i + " " + kind, kind);
      Reading netty = assertReadAsNettyReadsIt(connection, i % 4 == 0);
      Outcome last = netty.outcomes().getLast();
      if (kind == Malformation.TRUNCATED) {
        // Cut short: unfinished, unless the body ran to the close and the cut fell in it.
        assertThat(last == Outcome.INCOMPLETE || last.endedByClose())
            .as(connection.label() + ": " + last)
            .isTrue();
      } else {
        assertThat(last).as(connection.label() + ": " + netty.note()).isEqualTo(Outcome.REJECTED);
        refused++;
      }
    }
    assertThat(refused).isGreaterThan(MALFORMED_CONNECTIONS * 3 / 4);
  }

  private static final String OK = "HTTP/1.1 200 OK\r\n";
  private static final String CHUNKED = OK + "Transfer-Encoding: chunked\r\n\r\n";

  private static void assertDifference(String response, Outcome byReader, Outcome byNetty) {
    Connection connection =
        new Connection("difference", List.of(response.getBytes(StandardCharsets.ISO_8859_1)));
    Reading reader = readByReader(connection, new int[0]);
    Reading netty = readByNetty(connection);
    assertThat(reader.outcomes())
        .as("reader on %s (%s)", printable(response, 200), reader.note())
        .containsExactly(byReader);
    assertThat(netty.outcomes())
        .as("netty on %s (%s)", printable(response, 200), netty.note())
        .containsExactly(byNetty);
  }

  @Test
  void deliberateDifferences() {
    // A bare LF ends any line for the reader: RFC 9112, 2.2 lets a recipient take it for CRLF in
    // the head, and the reader takes it on chunk-size lines and after chunk data too, so a server
    // that writes LF is read rather than refused. Netty takes it in the head when not strict, never
    // in chunked framing. So a chunk one byte longer than its size, eating the CR, is read with
    // that CR in its data.
    assertDifference(CHUNKED + "2\nok\n0\n\n", Outcome.ok(200, "ok", true), Outcome.REJECTED);
    assertDifference(CHUNKED + "2\r\nok\n0\r\n\r\n", Outcome.ok(200, "ok", true), Outcome.REJECTED);
    assertDifference(
        CHUNKED + "3\r\nok\r\n0\r\n\r\n", Outcome.ok(200, "ok\r", true), Outcome.REJECTED);

    // Whitespace after a chunk size with no extension after it: the reader skips it as it does
    // before an extension (BWS); Netty takes whitespace only before ';'.
    assertDifference(
        CHUNKED + "2 \t\r\nok\r\n0\r\n\r\n", Outcome.ok(200, "ok", true), Outcome.REJECTED);

    // Chunk sizes are read as a long of up to 15 hex digits: the reader takes a chunk of 2 GiB (and
    // waits for it), Netty's int size refuses it; 16 digits or more, even leading zeros, the reader
    // refuses and Netty reads.
    assertDifference(CHUNKED + "80000000\r\nok", Outcome.INCOMPLETE, Outcome.REJECTED);
    assertDifference(
        CHUNKED + "0000000000000002\r\nok\r\n0\r\n\r\n",
        Outcome.REJECTED,
        Outcome.ok(200, "ok", true));

    // Content-Length is at most 18 digits for the reader (a long, with room); Netty reads 19 and
    // then waits for 10^18 bytes.
    assertDifference(
        OK + "Content-Length: 1000000000000000000\r\n\r\nok", Outcome.REJECTED, Outcome.INCOMPLETE);

    // Content-Length repeated with one value: the reader compares the numbers (RFC 9110, 8.6 says
    // "the same decimal value"); Netty, told to take repeats, compares the text.
    assertDifference(
        OK + "Content-Length: 2\r\nContent-Length: 002\r\n\r\nok",
        Outcome.ok(200, "ok", true),
        Outcome.REJECTED);
    // And Netty takes repeats in HTTP/1.1 only: in HTTP/1.0 it reads "2, 2" as one number.
    assertDifference(
        "HTTP/1.0 200 OK\r\nContent-Length: 2, 2\r\n\r\nok",
        Outcome.ok(200, "ok", false),
        Outcome.REJECTED);

    // Transfer-Encoding whose last coding is not chunked: the body runs to the close (RFC 9112,
    // 6.3, item 4), Content-Length or not. Netty frames it by Content-Length when there is one, and
    // refuses a chunked that is not last.
    assertDifference(
        OK + "Transfer-Encoding: gzip\r\nContent-Length: 6\r\n\r\nokmore",
        Outcome.untilClose(200, "okmore"),
        Outcome.ok(200, "okmore", true));
    assertDifference(
        OK + "Transfer-Encoding: chunked, gzip\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        Outcome.untilClose(200, "2\r\nok\r\n0\r\n\r\n"),
        Outcome.REJECTED);
    assertDifference(
        OK + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nzz",
        Outcome.untilClose(200, "zz"),
        Outcome.REJECTED);

    // Transfer-Encoding with Content-Length: chunked wins and the connection is closed after (RFC
    // 9112, 6.3, item 3); Netty refuses the response. Chunked applied twice is framed by the outer
    // (last) chunked; Netty refuses it.
    assertDifference(
        OK + "Transfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        Outcome.ok(200, "ok", false),
        Outcome.REJECTED);
    assertDifference(
        OK + "Transfer-Encoding: chunked, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        Outcome.ok(200, "ok", true),
        Outcome.REJECTED);

    // Transfer-Encoding in HTTP/1.0: read, and the connection closed after, whatever Connection
    // says (RFC 9112, 6.1); Netty refuses the response. (The reader kept the connection until this
    // oracle's difference was looked into.)
    assertDifference(
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "2\r\nok\r\n0\r\n\r\n",
        Outcome.ok(200, "ok", false),
        Outcome.REJECTED);

    // 101 Switching Protocols: servebench never asks to switch, so the reader refuses it; Netty
    // ends the response and hands the connection's later bytes on as they are.
    assertDifference(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
        Outcome.REJECTED,
        Outcome.ok(101, "", true));

    // The status line is exactly "HTTP/1.x SP 3DIGIT [SP reason]" with a status of 100 or more;
    // Netty is lenient in spacing and case and takes any number.
    for (String statusLine :
        List.of(
            "HTTP/1.1 099 Odd",
            "HTTP/1.1 2000 OK",
            "HTTP/1.1 20 OK",
            "http/1.1 200 OK",
            "HTTP/1.1  200 OK",
            " HTTP/1.1 200 OK")) {
      String response = statusLine + "\r\nContent-Length: 0\r\n\r\n";
      int status = Integer.parseInt(statusLine.strip().split(" +")[1]);
      assertDifference(response, Outcome.REJECTED, Outcome.ok(status, "", true));
    }
    // A status line longer than Netty's line limit, which is also its chunk-size line limit: the
    // reader bounds the head as a whole.
    assertDifference(
        "HTTP/1.1 200 " + "O".repeat(HttpResponseReader.MAX_CHUNK_LINE_BYTES) + "\r\n\r\n",
        Outcome.untilClose(200, ""),
        Outcome.REJECTED);

    // A header line without a colon is refused by the reader; Netty takes its first word as a name.
    assertDifference(
        OK + "no colon here\r\nContent-Length: 0\r\n\r\n",
        Outcome.REJECTED,
        Outcome.ok(200, "", true));

    // Field values are not validated: the reader skips the fields it does not read and strips the
    // ones it does; Netty refuses control characters in any value.
    assertDifference(
        OK + "X-Trace: a\u0001b\r\nContent-Length: 0\r\n\r\n",
        Outcome.ok(200, "", true),
        Outcome.REJECTED);
    assertDifference(
        OK + "Content-Type: text/plain\u0007\r\nContent-Length: 0\r\n\r\n",
        new Outcome(200, "text/plain\u0007", null, "", true, false),
        Outcome.REJECTED);
  }

  /**
   * What this oracle caught the reader out on: it took a folded Content-Length line for another
   * repeat of the field, so {@code 1} folded onto {@code 1} was read as 1 and {@code 2,} folded
   * onto {@code 2} was refused. A fold goes on after a space (RFC 9112, 5.2): the first is the
   * invalid {@code 1 1}, the second the list {@code 2, 2}, as for Netty.
   */
  @Test
  void foldedContentLengthIsOneValueAsForNetty() {
    Outcome ok = Outcome.ok(200, "ok", true);
    for (String field : List.of("Content-Length: 1\r\n 1", "Content-Length: 2\r\n\t2")) {
      Connection connection = connection(OK + field + "\r\n\r\nok");
      assertThat(readByReader(connection, new int[0]).outcomes()).containsExactly(Outcome.REJECTED);
      assertReadAsNettyReadsIt(connection, true);
    }
    Connection list = connection(OK + "Content-Length: 2,\r\n 2\r\n\r\nok");
    assertThat(readByReader(list, new int[0]).outcomes()).containsExactly(ok);
    assertReadAsNettyReadsIt(list, true);
  }

  private static Connection connection(String response) {
    return new Connection(
        printable(response, 200), List.of(response.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /** How a generated response is broken, and what each side does with it. */
  private enum Malformation {
    NONE,
    /**
     * A chunk-size line that is not hex ({@code zz}, {@code -1}, {@code 0x1a}, a leading space,
     * empty): the reader throws "invalid chunk-size line"; Netty fails the chunk with a
     * NumberFormatException.
     */
    BAD_CHUNK_SIZE,
    /**
     * A chunk one byte shorter than its size, or two longer: the reader finds no empty line after
     * the data ("a chunk is longer than its chunk-size line said"); Netty finds no CRLF there
     * (InvalidChunkTerminationException).
     */
    WRONG_CHUNK_SIZE,
    /**
     * Content-Length that is not one decimal number (letters, a sign, empty, spaces, 20 digits, two
     * values, a value folded onto another): the reader throws "invalid Content-Length"; Netty fails
     * the head with an IllegalArgumentException.
     */
    BAD_CONTENT_LENGTH,
    /**
     * A head over 64 KiB: the reader throws "the response's header section is longer than"; Netty
     * fails the head with a TooLongHttpHeaderException.
     */
    HEAD_TOO_LONG,
    /** Trailers over 64 KiB: as for the head; Netty fails the last chunk instead. */
    TRAILERS_TOO_LONG,
    /**
     * A chunk-size line over 4096 bytes (a long extension): the reader throws "a chunk-size line is
     * longer than"; Netty fails the chunk with a TooLongHttpLineException.
     */
    CHUNK_LINE_TOO_LONG,
    /**
     * Not an HTTP/1.x status line: the reader throws "not an HTTP/1.x status line"; Netty fails the
     * message (an invalid version, or a status that is not a number).
     */
    BAD_STATUS_LINE,
    /**
     * A header line with an empty name, or a folded line with no field before it: the reader throws
     * "a header line without a name" or "a folded header line with no header before it"; Netty
     * fails the head ("empty headers are not allowed").
     */
    BAD_HEADER_LINE,
    /**
     * The connection closes before the response's end: the reader's {@code closed()} says it did
     * not end; Netty gives no last content, or fails the head with a
     * PrematureChannelClosureException. A body read to the close ends there for both.
     */
    TRUNCATED
  }

  private enum Framing {
    LENGTH,
    CHUNKED,
    UNTIL_CLOSE,
    NONE
  }

  /** Builds connections from a seeded Random, and counts what it built. */
  private static final class Generator {

    static final List<String> FEATURES =
        List.of(
            "back-to-back",
            "bare-lf",
            "bodyless",
            "chunk-extension",
            "chunked",
            "content-length",
            "duplicate-length",
            "fold",
            "http/1.0",
            "interim",
            "lower-hex",
            "odd-case-name",
            "trailers",
            "transfer-coding-not-chunked",
            "until-close",
            "upper-hex");

    private static final int[] STATUSES = {200, 200, 200, 201, 204, 304, 400, 404, 429, 500, 503};

    private static final String[] CONTENT_TYPES = {
      "text/event-stream",
      "application/json",
      "text/event-stream; charset=utf-8",
      "application/json;charset=UTF-8",
      "text/plain; charset=iso-8859-1",
      "text/caf\u00e9 ; q=1",
    };

    private static final String[] FILLERS = {
      "Server: uvicorn",
      "Date: Wed, 21 Oct 2015 07:28:00 GMT",
      "Cache-Control: no-cache",
      "Vary: Accept-Encoding, Origin",
      "Set-Cookie: a=b; Path=/",
      "X-Empty:",
      "Content-Typo: no",
      "Content-Lengths: 99",
      "X-Transfer-Encoding: chunked",
    };

    private static final String[] TRICKY_BODY = {
      "\r\n", "\n", "0\r\n\r\n", "HTTP/1.1 200 OK\r\n", "data: {\"a\":1}\n\n", "\r\n\r\n", ";"
    };

    private static final String[] EXTENSIONS = {
      ";name=value", ";n", ";a=1;b=2", ";q=\"x;y z\"", " ;bws=1", "\t;t", "; s = 1",
    };

    private static final String[] BAD_CHUNK_SIZES = {"zz", "-1", "+1", "0x1a", " 1a", "", "1 2"};

    private static final String[] BAD_STATUS_LINES = {
      "HTTP/1.1 abc OK", "SSH-2.0-OpenSSH_9.6", "HTTP/2 200", "HTTP/x.1 200 OK",
    };

    final Map<String, Integer> built = new TreeMap<>();
    private final Random random;

    Generator(Random random) {
      this.random = random;
    }

    private void count(String feature) {
      built.merge(feature, 1, Integer::sum);
    }

    private String pick(String... choices) {
      return choices[random.nextInt(choices.length)];
    }

    /** One to three responses; the last may end the connection, and is broken as told. */
    Connection connection(String label, Malformation malformation) {
      int count = 1 + random.nextInt(3);
      if (count > 1) {
        count("back-to-back");
      }
      List<byte[]> responses = new ArrayList<>();
      for (int k = 0; k < count; k++) {
        boolean last = k == count - 1;
        responses.add(response(last, last ? malformation : Malformation.NONE));
      }
      return new Connection(label, responses);
    }

    /** A line end in a head: CRLF, or now and then a bare LF. */
    private String eol() {
      if (random.nextInt(12) == 0) {
        count("bare-lf");
        return "\n";
      }
      return "\r\n";
    }

    private byte[] response(boolean last, Malformation malformation) {
      boolean broken = malformation != Malformation.NONE;
      StringBuilder out = new StringBuilder();
      int interims = random.nextInt(6) == 0 ? 1 + random.nextInt(2) : 0;
      for (int i = 0; i < interims; i++) {
        count("interim");
        if (random.nextBoolean()) {
          out.append("HTTP/1.1 100 Continue").append(eol());
        } else {
          out.append("HTTP/1.1 103 Early Hints").append(eol());
          out.append(field("Link", "</style.css>; rel=preload"));
        }
        out.append(eol());
      }

      // Transfer-Encoding only in HTTP/1.1: Netty refuses it in HTTP/1.0 (deliberateDifferences).
      boolean http10 = !broken && random.nextInt(6) == 0;
      int status = broken ? 200 : STATUSES[random.nextInt(STATUSES.length)];
      boolean bodyless = status == 204 || status == 304;
      Framing framing = framing(last, http10, bodyless, malformation);
      boolean keepAlive = !last || random.nextInt(4) != 0;
      if (!keepAlive && framing == Framing.UNTIL_CLOSE) {
        keepAlive = true; // the close ends the connection anyway
      }

      String statusLine = (http10 ? "HTTP/1.0 " : "HTTP/1.1 ") + status;
      if (random.nextInt(4) != 0) {
        statusLine += " " + pick("OK", "Whatever", "Too Many Requests", "");
      }
      if (malformation == Malformation.BAD_STATUS_LINE) {
        statusLine = pick(BAD_STATUS_LINES);
      }
      out.append(statusLine).append(eol());

      byte[] bodyBytes = body();
      String body = new String(bodyBytes, StandardCharsets.ISO_8859_1);
      List<String> fields = new ArrayList<>();
      if (http10) {
        count("http/1.0");
        if (keepAlive) {
          fields.add(field("Connection", pick("keep-alive", "Keep-Alive")));
        }
      } else if (!keepAlive) {
        fields.add(field("Connection", pick("close", "Close")));
      } else if (random.nextInt(5) == 0) {
        fields.add(field("Connection", "keep-alive"));
      }

      String encoded = "";
      switch (framing) {
        case LENGTH -> {
          count("content-length");
          fields.addAll(contentLength(bodyBytes.length, http10, malformation));
          encoded = body;
        }
        case CHUNKED -> {
          count("chunked");
          fields.add(field("Transfer-Encoding", transferCoding()));
          encoded = chunked(bodyBytes, malformation);
        }
        case UNTIL_CLOSE -> {
          count("until-close");
          if (!http10 && random.nextInt(3) == 0) {
            count("transfer-coding-not-chunked");
            fields.add(field("Transfer-Encoding", pick("gzip", "identity", "br")));
          }
          encoded = body;
        }
        case NONE -> {
          count("bodyless");
          // Framing fields of a response that has no body are not read.
          switch (random.nextInt(3)) {
            case 0 -> fields.add(field("Content-Length", Integer.toString(random.nextInt(500))));
            case 1 -> {
              if (!http10) {
                fields.add(field("Transfer-Encoding", "chunked"));
              }
            }
            default -> {}
          }
        }
      }

      if (random.nextInt(5) != 0) {
        fields.add(field("Content-Type", pick(CONTENT_TYPES)));
        if (random.nextInt(20) == 0) {
          fields.add(field("Content-Type", pick(CONTENT_TYPES)));
        }
      }
      if (status == 429 || status == 503 || random.nextInt(10) == 0) {
        fields.add(field("Retry-After", pick("7", "0", "Wed, 21 Oct 2015 07:28:00 GMT")));
      }
      int fillers = random.nextInt(4);
      for (int i = 0; i < fillers; i++) {
        String filler = pick(FILLERS);
        int colon = filler.indexOf(':');
        fields.add(field(filler.substring(0, colon), filler.substring(colon + 1).strip()));
      }
      fields.add(field("X-Request-Id", Long.toHexString(random.nextLong())));
      if (malformation == Malformation.HEAD_TOO_LONG) {
        fields.add(field("X-Filler", "a".repeat(HttpResponseReader.MAX_HEAD_BYTES + 10)));
      }
      Collections.shuffle(fields, random);
      if (malformation == Malformation.BAD_HEADER_LINE) {
        if (random.nextBoolean()) {
          fields.add(random.nextInt(fields.size() + 1), ": no name" + eol());
        } else {
          fields.addFirst(" folded" + eol());
        }
      }
      fields.forEach(out::append);
      out.append(eol());
      out.append(encoded);

      byte[] bytes = out.toString().getBytes(StandardCharsets.ISO_8859_1);
      if (malformation == Malformation.TRUNCATED) {
        bytes = Arrays.copyOf(bytes, 1 + random.nextInt(bytes.length - 1));
      }
      return bytes;
    }

    private Framing framing(
        boolean last, boolean http10, boolean bodyless, Malformation malformation) {
      switch (malformation) {
        case BAD_CHUNK_SIZE, WRONG_CHUNK_SIZE, TRAILERS_TOO_LONG, CHUNK_LINE_TOO_LONG -> {
          return Framing.CHUNKED;
        }
        case BAD_CONTENT_LENGTH -> {
          return Framing.LENGTH;
        }
        default -> {}
      }
      if (bodyless) {
        return Framing.NONE;
      }
      int choice = random.nextInt(10);
      if (choice < 2 && last) {
        return Framing.UNTIL_CLOSE;
      }
      return choice < 6 || http10 ? Framing.LENGTH : Framing.CHUNKED;
    }

    /**
     * A field line: the name in any case, any OWS, and now and then the value folded onto a second
     * line at one of its spaces.
     */
    private String field(String name, String value) {
      String renamed =
          switch (random.nextInt(8)) {
            case 0 -> name.toLowerCase(Locale.ROOT);
            case 1 -> name.toUpperCase(Locale.ROOT);
            case 2 -> {
              count("odd-case-name");
              StringBuilder odd = new StringBuilder();
              for (char c : name.toCharArray()) {
                odd.append(
                    random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
              }
              yield odd.toString();
            }
            default -> name;
          };
      String separator = random.nextInt(20) == 0 ? " : " : pick(": ", ":", ":  ", ":\t");
      String folded = value;
      int space = value.indexOf(' ', random.nextInt(value.length() + 1));
      if (space > 0 && random.nextInt(5) == 0) {
        count("fold");
        folded =
            value.substring(0, space) + eol() + pick(" ", "\t", "   ") + value.substring(space + 1);
      }
      String trailing = random.nextInt(10) == 0 ? pick(" ", "\t", " \t ") : "";
      return renamed + separator + folded + trailing + eol();
    }

    private List<String> contentLength(int length, boolean http10, Malformation malformation) {
      if (malformation == Malformation.BAD_CONTENT_LENGTH) {
        return switch (random.nextInt(10)) {
          case 0 -> List.of(field("Content-Length", "abc"));
          case 1 -> List.of(field("Content-Length", "-1"));
          case 2 -> List.of(field("Content-Length", "+" + length));
          case 3 -> List.of(field("Content-Length", ""));
          case 4 -> List.of(field("Content-Length", length + " " + length));
          case 5 -> List.of(field("Content-Length", "99999999999999999999"));
          case 6 -> List.of(field("Content-Length", "0x" + length));
          case 7 -> List.of(field("Content-Length", length + ", " + (length + 1)));
          case 8 ->
              List.of(
                  field("Content-Length", Integer.toString(length)),
                  field("Content-Length", Integer.toString(length + 1)));
          default -> List.of("Content-Length: " + length + eol() + " " + length + eol());
        };
      }
      if (!http10 && random.nextInt(8) == 0) {
        // The same length twice, as two fields or a list (RFC 9110, 8.6); HTTP/1.1 only, as Netty
        // takes repeats (deliberateDifferences).
        count("duplicate-length");
        return random.nextBoolean()
            ? List.of(
                field("Content-Length", Integer.toString(length)),
                field("Content-Length", Integer.toString(length)))
            : List.of(field("Content-Length", length + ", " + length));
      }
      return List.of(field("Content-Length", Integer.toString(length)));
    }

    private String transferCoding() {
      return pick("chunked", "chunked", "chunked", "CHUNKED", "Chunked", "gzip, chunked");
    }

    /** Mostly short bodies, some long; any byte, and bytes that look like framing. */
    private byte[] body() {
      int roll = random.nextInt(20);
      int length =
          roll == 0
              ? 400 + random.nextInt(1600)
              : roll < 6 ? 65 + random.nextInt(300) : random.nextInt(65);
      StringBuilder body = new StringBuilder();
      while (body.length() < length) {
        if (random.nextInt(4) == 0) {
          body.append(pick(TRICKY_BODY));
        } else {
          body.append((char) random.nextInt(256));
        }
      }
      body.setLength(length);
      return body.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The chunked coding of {@code body}: chunk sizes in any hex case, extensions, trailers. */
    private String chunked(byte[] body, Malformation malformation) {
      StringBuilder out = new StringBuilder();
      String text = new String(body, StandardCharsets.ISO_8859_1);
      if (malformation == Malformation.WRONG_CHUNK_SIZE && text.length() < 2) {
        text = "zz" + text;
      }
      int at = 0;
      boolean first = true;
      while (at < text.length()) {
        int size =
            1 + random.nextInt(Math.min(text.length() - at, random.nextBoolean() ? 40 : 400));
        if (first && malformation == Malformation.WRONG_CHUNK_SIZE) {
          size = Math.max(2, size);
        }
        String data = text.substring(at, at + size);
        at += size;
        String sizeLine = hex(size) + extension();
        if (first) {
          switch (malformation) {
            case BAD_CHUNK_SIZE -> sizeLine = pick(BAD_CHUNK_SIZES);
            case CHUNK_LINE_TOO_LONG ->
                sizeLine =
                    hex(size) + ";e=" + "e".repeat(HttpResponseReader.MAX_CHUNK_LINE_BYTES + 10);
            case WRONG_CHUNK_SIZE -> {
              // The data's last byte is where a short size expects the CRLF: a letter, not a line.
              data = data.substring(0, size - 1) + "z";
              sizeLine = hex(random.nextBoolean() ? size - 1 : size + 2);
            }
            default -> {}
          }
          first = false;
        }
        out.append(sizeLine).append("\r\n").append(data).append("\r\n");
      }
      // With no data chunk, the last chunk's size line is the one broken.
      String lastLine = pick("0", "0", "000") + (random.nextInt(6) == 0 ? extension() : "");
      if (first && malformation == Malformation.BAD_CHUNK_SIZE) {
        lastLine = pick(BAD_CHUNK_SIZES);
      } else if (first && malformation == Malformation.CHUNK_LINE_TOO_LONG) {
        lastLine = "0;e=" + "e".repeat(HttpResponseReader.MAX_CHUNK_LINE_BYTES + 10);
      }
      out.append(lastLine).append("\r\n");
      if (random.nextInt(4) == 0) {
        count("trailers");
        out.append(field("X-Checksum", Integer.toHexString(random.nextInt())));
        if (random.nextBoolean()) {
          out.append(field("Server-Timing", "total;dur=12, db;dur=3"));
        }
      }
      if (malformation == Malformation.TRAILERS_TOO_LONG) {
        out.append(field("X-Filler", "t".repeat(HttpResponseReader.MAX_HEAD_BYTES + 10)));
      }
      return out.append(eol()).toString();
    }

    private String hex(int size) {
      String hex = Integer.toHexString(size);
      boolean letters = hex.chars().anyMatch(Character::isLetter);
      return switch (random.nextInt(5)) {
        case 0 -> {
          if (letters) {
            count("upper-hex");
          }
          yield hex.toUpperCase(Locale.ROOT);
        }
        case 1 -> "00" + hex;
        default -> {
          if (letters) {
            count("lower-hex");
          }
          yield hex;
        }
      };
    }

    private String extension() {
      if (random.nextInt(4) != 0) {
        return "";
      }
      count("chunk-extension");
      return pick(EXTENSIONS);
    }
  }

  /** At most {@code limit} characters, line ends and control characters escaped. */
  private static String printable(String text, int limit) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < text.length() && out.length() < limit; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append(out.length() >= limit ? "...'" : "'").toString();
  }
}
