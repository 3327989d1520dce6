package dev.servebench.endpoint;

import static dev.servebench.endpoint.ParserSplits.parseAtEverySplit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.dataset.Prompt;
import dev.servebench.record.FailureReason;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's embeddings API, with bodies in the shape its reference gives: {@code data} a list of
 * embedding objects, {@code usage} with {@code prompt_tokens} and {@code total_tokens}.
 */
class EmbeddingsParserTest {

  private static final EndpointAdapter EMBEDDINGS = EndpointType.OPENAI_EMBEDDINGS.adapter(null);

  @Test
  void anEmbeddingIsWholeWithNoOutputAndTheServersPromptCount() {
    String body =
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":"
            + "[0.0023064255,-0.009327292,-1.5e-3]}],\"model\":\"text-embedding-3-small\","
            + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";
    RecordingEvents events =
        parseAtEverySplit(() -> EMBEDDINGS.responseParser(false, "application/json"), body);
    assertThat(events.failure).isNull();
    assertThat(events.completeOutput).isEmpty();
    assertThat(events.chunks).isEmpty();
    assertThat(events.promptTokens).isEqualTo(8);
    assertThat(events.completionTokens).isZero();
  }

  @Test
  void anAnswerWithoutAnEmbeddingIsNamed() {
    RecordingEvents events =
        parseAtEverySplit(
            () -> EMBEDDINGS.responseParser(false, "application/json"),
            "{\"object\":\"list\",\"data\":[],\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}");
    assertThat(events.failure).isEqualTo(FailureReason.PARSE);
    assertThat(events.failureMessage).contains("data[0].embedding");
  }

  @Test
  void anErrorObjectFailsWithItsMessage() {
    RecordingEvents events =
        parseAtEverySplit(
            () -> EMBEDDINGS.responseParser(false, "application/json"),
            "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\","
                + "\"type\":\"invalid_request_error\"}}");
    assertThat(events.failure).isEqualTo(FailureReason.SERVER_ERROR);
    assertThat(events.failureMessage).startsWith("This model's maximum context length");
  }

  @Test
  void theRequestNamesTheModelAndTheInput() throws Exception {
    assertThat(EMBEDDINGS.requestPath("http-base/v1", "m", false))
        .isEqualTo("http-base/v1/embeddings");
    assertThat(EMBEDDINGS.requestPath("", "m", false)).isEqualTo("/v1/embeddings");
    String body =
        new ObjectMapper()
            .readTree(
                EMBEDDINGS.requestBody(
                    new Prompt("Hi", 1, 1),
                    new RequestOptions("bge-small", false, 0.5, null, null, null, false, false)))
            .toString();
    assertThat(body).isEqualTo("{\"model\":\"bge-small\",\"input\":\"Hi\"}");
  }
}
