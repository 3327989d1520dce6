package dev.servebench.endpoint;

import static dev.servebench.endpoint.ParserSplits.parseAtEverySplit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.dataset.Prompt;
import dev.servebench.record.FailureReason;
import org.junit.jupiter.api.Test;

/**
 * Text Generation Inference's own API, with bodies in the shapes its API documentation gives
 * (StreamResponse, StreamDetails, GenerateResponse, ErrorResponse).
 */
class TgiParserTest {

  private static final EndpointAdapter TGI = EndpointType.TGI.adapter(null);

  /** Two tokens and the end-of-sequence token, whose event carries the whole text and details. */
  private static final String STREAM =
      "data:{\"index\":1,\"token\":{\"id\":415,\"text\":\" The\",\"logprob\":-0.52,"
          + "\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
          + ":\n\n"
          + "data:{\"index\":2,\"token\":{\"id\":5565,\"text\":\" café\",\"logprob\":-1.25,"
          + "\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
          + "data:{\"index\":3,\"token\":{\"id\":2,\"text\":\"</s>\",\"logprob\":-0.01,"
          + "\"special\":true},\"generated_text\":\" The café\",\"details\":{\"finish_reason\":"
          + "\"eos_token\",\"generated_tokens\":3,\"seed\":null,\"input_length\":7}}\n\n";

  @Test
  void aStreamGivesATokenPerEventAndTheServersCountsFromItsLastEvent() {
    RecordingEvents events =
        parseAtEverySplit(() -> TGI.responseParser(true, "text/event-stream"), STREAM);
    assertThat(events.failure).isNull();
    assertThat(events.chunks).containsExactly(" The", " café", "</s>");
    assertThat(events.completionTokens).isEqualTo(3);
    assertThat(events.promptTokens).isEqualTo(7);
  }

  @Test
  void aStreamCutBeforeItsLastEventFails() {
    String cut = STREAM.substring(0, STREAM.indexOf("data:{\"index\":3"));
    RecordingEvents events =
        parseAtEverySplit(() -> TGI.responseParser(true, "text/event-stream"), cut);
    assertThat(events.chunks).containsExactly(" The", " café");
    assertThat(events.failure).isEqualTo(FailureReason.STREAM_CUT);
    assertThat(events.failureMessage).contains("generated_text");
  }

  @Test
  void anErrorEventAfterTheHeadersFailsWithItsMessage() {
    String body =
        STREAM.substring(0, STREAM.indexOf("data:{\"index\":2"))
            + "data:{\"error\":\"Request failed during generation: Server error: out of"
            + " memory\",\"error_type\":\"generation\"}\n\n";
    RecordingEvents events =
        parseAtEverySplit(() -> TGI.responseParser(true, "text/event-stream"), body);
    assertThat(events.failure).isEqualTo(FailureReason.SERVER_ERROR);
    assertThat(events.failureMessage)
        .isEqualTo("Request failed during generation: Server error: out of memory");
  }

  @Test
  void aWholeAnswerGivesGeneratedTextAndTheCountOfGeneratedTokens() {
    String body =
        "{\"generated_text\":\" The café\",\"details\":{\"finish_reason\":\"length\","
            + "\"generated_tokens\":2,\"seed\":null,\"prefill\":[],\"tokens\":[{\"id\":415,"
            + "\"text\":\" The\",\"logprob\":-0.52,\"special\":false},{\"id\":5565,"
            + "\"text\":\" café\",\"logprob\":-1.25,\"special\":false}]}}";
    RecordingEvents events =
        parseAtEverySplit(() -> TGI.responseParser(false, "application/json"), body);
    assertThat(events.failure).isNull();
    assertThat(events.completeOutput).isEqualTo(" The café");
    assertThat(events.completionTokens).isEqualTo(2);
    assertThat(events.promptTokens).isEqualTo(-1);
  }

  @Test
  void aWholeAnswerWithoutGeneratedTextIsNamed() {
    RecordingEvents events =
        ParserSplits.parse(TGI.responseParser(false, "application/json"), "{\"details\":null}");
    assertThat(events.failure).isEqualTo(FailureReason.PARSE);
    assertThat(events.failureMessage).contains("generated_text");
  }

  @Test
  void streamedRequestsGoToGenerateStreamAndAskForDetails() throws Exception {
    assertThat(TGI.requestPath("", "m", true)).isEqualTo("/generate_stream");
    assertThat(TGI.requestPath("/tgi/", "m", false)).isEqualTo("/tgi/generate");
    JsonNode body =
        new ObjectMapper()
            .readTree(
                TGI.requestBody(
                    new Prompt("Hi", 1, 32),
                    new RequestOptions("m", true, 0.5, null, 4, true, false, false)));
    assertThat(body.toString())
        .isEqualTo(
            "{\"inputs\":\"Hi\",\"parameters\":{\"max_new_tokens\":32,\"temperature\":0.5,"
                + "\"top_k\":4,\"do_sample\":true,\"details\":true}}");
  }
}
