package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseParserTest {

  /** Events as "type|data" strings, type "-" when absent. */
  private final List<String> events = new ArrayList<>();

  private final SseParser.Listener collect =
      (type, data, offset, length) ->
          events.add(
              (type == null ? "-" : type)
                  + "|"
                  + new String(data, offset, length, StandardCharsets.UTF_8));

  /**
   * Feeds {@code text} from the middle of an array that is overwritten once the call returns, as
   * the client reuses its read buffer: an event that outlives its read must have been copied.
   */
  private void feed(SseParser parser, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    feed(parser, bytes, 0, bytes.length);
  }

  private void feed(SseParser parser, byte[] bytes, int offset, int length) {
    byte[] read = new byte[length + 10];
    Arrays.fill(read, (byte) '#');
    System.arraycopy(bytes, offset, read, 7, length);
    parser.feed(read, 7, length, collect);
    Arrays.fill(read, (byte) '#');
  }

  @Test
  void severalEventsInOneRead() {
    SseParser parser = new SseParser();
    feed(parser, "data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n");
    assertThat(events).containsExactly("-|{\"a\":1}", "-|{\"a\":2}", "-|[DONE]");
  }

  @Test
  void eventSplitAcrossReadsAtEveryPossibleByte() {
    String stream = "data: {\"x\":\"héllo ✓\"}\r\n\r\ndata: [DONE]\r\n\r\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      events.clear();
      SseParser parser = new SseParser();
      feed(parser, bytes, 0, cut);
      feed(parser, bytes, cut, bytes.length - cut);
      parser.finish(collect);
      assertThat(events).as("cut at %d", cut).containsExactly("-|{\"x\":\"héllo ✓\"}", "-|[DONE]");
    }
  }

  @Test
  void oneByteAtATime() {
    byte[] bytes = "data: a\n\ndata: b\r\rdata: c\r\n\r\n".getBytes(StandardCharsets.UTF_8);
    SseParser parser = new SseParser();
    for (int i = 0; i < bytes.length; i++) {
      feed(parser, bytes, i, 1);
    }
    assertThat(events).containsExactly("-|a", "-|b", "-|c");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", "\r"})
  void everyLineEnding(String eol) {
    SseParser parser = new SseParser();
    feed(parser, "data: one" + eol + eol + "data: two" + eol + eol);
    assertThat(events).containsExactly("-|one", "-|two");
  }

  @Test
  void commentsAndUnknownFieldsAreIgnored() {
    SseParser parser = new SseParser();
    feed(parser, ": keep-alive\n\nid: 7\nretry: 100\nfoo: bar\ndata: payload\n\n: ping\n\n");
    assertThat(events).containsExactly("-|payload");
  }

  @Test
  void dataLinesOfOneEventAreJoinedWithNewlines() {
    SseParser parser = new SseParser();
    feed(parser, "data: first\ndata:second\ndata\n\n");
    assertThat(events).containsExactly("-|first\nsecond\n");
  }

  @Test
  void onlyOneLeadingSpaceIsDropped() {
    SseParser parser = new SseParser();
    feed(parser, "data:  two spaces\n\n");
    assertThat(events).containsExactly("-| two spaces");
  }

  @Test
  void eventTypeIsReportedAndResetAfterDispatch() {
    SseParser parser = new SseParser();
    feed(parser, "event: error\ndata: {\"error\":{\"message\":\"boom\"}}\n\ndata: next\n\n");
    assertThat(events).containsExactly("error|{\"error\":{\"message\":\"boom\"}}", "-|next");
  }

  @Test
  void blankLinesWithoutDataDispatchNothing() {
    SseParser parser = new SseParser();
    feed(parser, "\n\n\r\n: comment\n\nevent: x\n\n");
    parser.finish(collect);
    assertThat(events).isEmpty();
  }

  @Test
  void anUnterminatedFinalEventIsDeliveredAtTheEnd() {
    SseParser parser = new SseParser();
    feed(parser, "data: {\"a\":1}\n\ndata: [DONE]");
    assertThat(events).containsExactly("-|{\"a\":1}");
    parser.finish(collect);
    assertThat(events).containsExactly("-|{\"a\":1}", "-|[DONE]");
  }

  @Test
  void longEventsGrowTheBuffers() {
    String big = "x".repeat(100_000);
    SseParser parser = new SseParser();
    feed(parser, "data: " + big + "\n\n");
    assertThat(events).containsExactly("-|" + big);
  }

  @Test
  void randomSplitsNeverChangeTheEvents() {
    StringBuilder stream = new StringBuilder();
    List<String> expected = new ArrayList<>();
    Random random = new Random(11);
    String[] eols = {"\n", "\r\n", "\r"};
    for (int i = 0; i < 200; i++) {
      String eol = eols[random.nextInt(3)];
      String payload = "{\"i\":" + i + ",\"t\":\"ü€" + "y".repeat(random.nextInt(40)) + "\"}";
      if (random.nextInt(5) == 0) {
        stream.append(": comment").append(eol);
      }
      stream.append("data: ").append(payload).append(eol).append(eol);
      expected.add("-|" + payload);
    }
    byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
    for (int trial = 0; trial < 50; trial++) {
      events.clear();
      SseParser parser = new SseParser();
      int position = 0;
      while (position < bytes.length) {
        int length = Math.min(bytes.length - position, 1 + random.nextInt(64));
        feed(parser, bytes, position, length);
        position += length;
      }
      parser.finish(collect);
      assertThat(events).isEqualTo(expected);
    }
  }
}
