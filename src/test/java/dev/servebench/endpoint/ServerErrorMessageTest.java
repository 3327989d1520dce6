package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.record.FailureReason;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A server error always reaches the report with a message, even when the server gave none. */
class ServerErrorMessageTest {

  private static final String NO_MESSAGE = "the server reported an error without a message";

  static Stream<Arguments> errors() {
    Supplier<ResponseParser> stream = OpenAiStreamParser::new;
    Supplier<ResponseParser> openAiJson = OpenAiJsonParser::new;
    Supplier<ResponseParser> simpleJson = SimpleJsonParser::new;
    return Stream.of(
        // An SSE error event with an empty data line (found by the fuzzer).
        Arguments.of(stream, "event: error\ndata:\n\n", NO_MESSAGE),
        // An SSE error event whose data is only blanks.
        Arguments.of(stream, "event: error\ndata:   \n\n", NO_MESSAGE),
        // An SSE error event with a message keeps it verbatim.
        Arguments.of(stream, "event: error\ndata: overloaded\n\n", "overloaded"),
        // A streamed chunk whose error is an empty string.
        Arguments.of(stream, "data: {\"error\":\"\"}\n\n", NO_MESSAGE),
        // A whole OpenAI response with an empty error string (found by the fuzzer).
        Arguments.of(openAiJson, "{\"error\":\"\"}", NO_MESSAGE),
        // An error object whose message is empty (found by the fuzzer).
        Arguments.of(openAiJson, "{\"error\":{\"message\":\"\",\"code\":400}}", NO_MESSAGE),
        // An error object with a message keeps it.
        Arguments.of(openAiJson, "{\"error\":{\"message\":\"bad model\"}}", "bad model"),
        // The simple endpoint's vLLM engine with an empty error (found by the fuzzer).
        Arguments.of(simpleJson, "{\"error\":\"\"}", NO_MESSAGE),
        // The simple endpoint's error with a message keeps it.
        Arguments.of(simpleJson, "{\"error\":\"engine died\"}", "engine died"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void serverErrorsAlwaysCarryAMessage(
      Supplier<ResponseParser> parsers, String body, String expectedMessage) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ResponseParser parser = parsers.get();
    RecordingEvents events = new RecordingEvents();
    parser.onBody(bytes, 0, bytes.length, 1, events);
    parser.onEnd(events);

    assertThat(events.failure).isEqualTo(FailureReason.SERVER_ERROR);
    assertThat(events.failureMessage).isEqualTo(expectedMessage);
  }
}
