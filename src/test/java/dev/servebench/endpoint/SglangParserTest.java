package dev.servebench.endpoint;

import static dev.servebench.endpoint.ParserSplits.parseAtEverySplit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.dataset.Prompt;
import dev.servebench.record.FailureReason;
import org.junit.jupiter.api.Test;

/**
 * SGLang's native {@code /generate}, with bodies in the shapes its HTTP server writes: {@code data:
 * <json>} events whose {@code text} is the whole output so far, {@code meta_info} with the running
 * counts, an error as {@code {"error": {"message"}}}, and {@code data: [DONE]}.
 */
class SglangParserTest {

  private static final EndpointAdapter SGLANG = EndpointType.SGLANG.adapter(null);

  private static String event(String text, String finishReason, int completionTokens) {
    return "data: {\"text\":\""
        + text
        + "\",\"meta_info\":{\"id\":\"9f1c\",\"finish_reason\":"
        + finishReason
        + ",\"prompt_tokens\":6,\"completion_tokens\":"
        + completionTokens
        + ",\"cached_tokens\":0,\"e2e_latency\":0.031},\"index\":0}\n\n";
  }

  private static final String STREAM =
      event(" Paris", "null", 1)
          + event(" Paris is", "null", 2)
          + event(" Paris is très", "{\"type\":\"length\",\"length\":3}", 3)
          + "data: [DONE]\n\n";

  @Test
  void eachEventsNewTextIsWhatItAddsToTheTextSoFar() {
    RecordingEvents events =
        parseAtEverySplit(() -> SGLANG.responseParser(true, "text/event-stream"), STREAM);
    assertThat(events.failure).isNull();
    assertThat(events.chunks).containsExactly(" Paris", " is", " très");
    assertThat(events.promptTokens).isEqualTo(6);
    assertThat(events.completionTokens).isEqualTo(3);
    assertThat(events.usageReports).isEqualTo(3);
    assertThat(events.endMarker).isTrue();
  }

  @Test
  void anEventThatRewritesTheTailAddsNothing() {
    String body =
        event(" Paris", "null", 1)
            + event(" Paris is\\n", "null", 2)
            + event(" Paris is", "{\"type\":\"stop\",\"matched\":\"\\n\"}", 2)
            + "data: [DONE]\n\n";
    RecordingEvents events =
        parseAtEverySplit(() -> SGLANG.responseParser(true, "text/event-stream"), body);
    assertThat(events.failure).isNull();
    assertThat(events.chunks).containsExactly(" Paris", " is\n");
  }

  @Test
  void escapesOnEitherSideOfTheNewPartAreDecoded() {
    String body =
        event("caf\\u00e9 \\\"", "null", 2)
            + event("caf\\u00e9 \\\"au\\\" \\ud83d\\ude00", "null", 5)
            + "data: [DONE]\n\n";
    RecordingEvents events =
        parseAtEverySplit(() -> SGLANG.responseParser(true, "text/event-stream"), body);
    assertThat(events.failure).isNull();
    assertThat(events.chunks).containsExactly("café \"", "au\" 😀");
  }

  @Test
  void aStreamWithoutDoneIsCut() {
    String cut = STREAM.substring(0, STREAM.indexOf("data: [DONE]"));
    RecordingEvents events =
        parseAtEverySplit(() -> SGLANG.responseParser(true, "text/event-stream"), cut);
    assertThat(events.failure).isEqualTo(FailureReason.STREAM_CUT);
  }

  @Test
  void anErrorEventFailsWithItsMessage() {
    String body =
        "data: {\"error\":{\"message\":\"The input (9000 tokens) is longer than the model's"
            + " context length\"}}\n\ndata: [DONE]\n\n";
    RecordingEvents events =
        parseAtEverySplit(() -> SGLANG.responseParser(true, "text/event-stream"), body);
    assertThat(events.failure).isEqualTo(FailureReason.SERVER_ERROR);
    assertThat(events.failureMessage).startsWith("The input (9000 tokens)");
  }

  @Test
  void aWholeAnswerGivesItsTextAndCounts() {
    String body =
        "{\"text\":\" Paris is\",\"meta_info\":{\"id\":\"9f1c\",\"finish_reason\":{\"type\":"
            + "\"length\",\"length\":2},\"prompt_tokens\":6,\"completion_tokens\":2,"
            + "\"cached_tokens\":0}}";
    RecordingEvents events =
        parseAtEverySplit(() -> SGLANG.responseParser(false, "application/json"), body);
    assertThat(events.failure).isNull();
    assertThat(events.completeOutput).isEqualTo(" Paris is");
    assertThat(events.promptTokens).isEqualTo(6);
    assertThat(events.completionTokens).isEqualTo(2);
  }

  @Test
  void theRequestCarriesTheSamplingParameters() throws Exception {
    assertThat(SGLANG.requestPath("", "m", true)).isEqualTo("/generate");
    String body =
        new ObjectMapper()
            .readTree(
                SGLANG.requestBody(
                    new Prompt("Hi", 1, 16),
                    new RequestOptions("m", true, 0.0, null, null, null, true, false)))
            .toString();
    assertThat(body)
        .isEqualTo(
            "{\"text\":\"Hi\",\"sampling_params\":{\"max_new_tokens\":16,\"temperature\":0.0,"
                + "\"ignore_eos\":true},\"stream\":true}");
  }
}
