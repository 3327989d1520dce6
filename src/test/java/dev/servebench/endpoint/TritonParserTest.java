package dev.servebench.endpoint;

import static dev.servebench.endpoint.ParserSplits.parseAtEverySplit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.dataset.Prompt;
import dev.servebench.record.FailureReason;
import org.junit.jupiter.api.Test;

/**
 * Triton's generate extension, with bodies in the shapes its protocol document gives: each response
 * {@code {"id", "model_name", "model_version", "text_output"}}, a streamed one as an SSE {@code
 * data} event, an error as {@code {"error": "..."}}.
 */
class TritonParserTest {

  private static final EndpointAdapter TRITON = EndpointType.TRITON.adapter(null);

  private static String event(String text) {
    return "data: {\"id\":\"42\",\"model_name\":\"ensemble\",\"model_version\":\"1\","
        + "\"text_output\":\""
        + text
        + "\"}\n\n";
  }

  @Test
  void eachEventHoldsTheNewTextAndTheCleanEndCompletesTheStream() {
    String body = event("Machine") + event(" learning") + event(" is ✓");
    RecordingEvents events =
        parseAtEverySplit(
            () -> TRITON.responseParser(true, "text/event-stream; charset=utf-8"), body);
    assertThat(events.failure).isNull();
    assertThat(events.chunks).containsExactly("Machine", " learning", " is ✓");
    assertThat(events.completionTokens).isEqualTo(-1);
    assertThat(events.promptTokens).isEqualTo(-1);
  }

  @Test
  void anErrorObjectAfterTheHeadersFailsTheRequest() {
    String body =
        event("Machine") + "data: {\"error\":\"in ensemble 'ensemble': executor failed\"}\n\n";
    RecordingEvents events =
        parseAtEverySplit(() -> TRITON.responseParser(true, "text/event-stream"), body);
    assertThat(events.failure).isEqualTo(FailureReason.SERVER_ERROR);
    assertThat(events.failureMessage).isEqualTo("in ensemble 'ensemble': executor failed");
  }

  @Test
  void aWholeAnswerGivesTextOutput() {
    String body =
        "{\"id\":\"42\",\"model_name\":\"ensemble\",\"model_version\":\"1\","
            + "\"text_output\":\"Machine learning\"}";
    RecordingEvents events =
        parseAtEverySplit(() -> TRITON.responseParser(false, "application/json"), body);
    assertThat(events.failure).isNull();
    assertThat(events.completeOutput).isEqualTo("Machine learning");
  }

  @Test
  void theModelIsInTheRouteAndTheSettingsAtTheTop() throws Exception {
    assertThat(TRITON.requestPath("", "ensemble", true))
        .isEqualTo("/v2/models/ensemble/generate_stream");
    assertThat(TRITON.requestPath("/", "ensemble", false))
        .isEqualTo("/v2/models/ensemble/generate");
    String body =
        new ObjectMapper()
            .readTree(
                TRITON.requestBody(
                    new Prompt("Hi", 1, 20),
                    new RequestOptions("ensemble", true, null, 0.9, null, null, false, false)))
            .toString();
    assertThat(body)
        .isEqualTo("{\"text_input\":\"Hi\",\"max_tokens\":20,\"stream\":true,\"top_p\":0.9}");
  }
}
