package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Runs a response parser over a body whole, and split into two reads at every byte position. */
final class ParserSplits {

  private ParserSplits() {}

  /** The events of {@code body} read whole. */
  static RecordingEvents parse(ResponseParser parser, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    RecordingEvents events = new RecordingEvents();
    parser.onBody(bytes, 0, bytes.length, 1, events);
    parser.onEnd(events);
    return events;
  }

  /**
   * The events of {@code body} read whole, after checking that every split into two reads reports
   * the same texts, counts, end marker and failure.
   */
  static RecordingEvents parseAtEverySplit(Supplier<ResponseParser> parsers, String body) {
    RecordingEvents whole = parse(parsers.get(), body);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      // Each read in a buffer of its own with junk around it, as the engine's pooled buffers are.
      RecordingEvents events = new RecordingEvents();
      ResponseParser parser = parsers.get();
      parser.onBody(padded(bytes, 0, split), 3, split, 10, events);
      parser.onBody(
          padded(bytes, split, bytes.length - split), 3, bytes.length - split, 20, events);
      parser.onEnd(events);
      assertThat(summary(events)).as("split at byte %d", split).isEqualTo(summary(whole));
    }
    return whole;
  }

  private static byte[] padded(byte[] bytes, int offset, int length) {
    byte[] buffer = new byte[length + 6];
    java.util.Arrays.fill(buffer, (byte) '#');
    System.arraycopy(bytes, offset, buffer, 3, length);
    return buffer;
  }

  private static String summary(RecordingEvents events) {
    return String.join("|", events.chunks)
        + " whole="
        + events.completeOutput
        + " prompt="
        + events.promptTokens
        + " completion="
        + events.completionTokens
        + " end="
        + events.endMarker
        + " failure="
        + events.failure
        + ": "
        + events.failureMessage;
  }
}
