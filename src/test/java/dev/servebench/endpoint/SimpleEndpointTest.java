package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.dataset.Prompt;
import dev.servebench.record.FailureReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimpleEndpointTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static RecordingEvents parse(ResponseParser parser, String... reads) {
    RecordingEvents events = new RecordingEvents();
    long nanos = 0;
    for (String read : reads) {
      byte[] bytes = read.getBytes(StandardCharsets.ISO_8859_1);
      parser.onBody(bytes, 0, bytes.length, ++nanos, events);
    }
    parser.onEnd(events);
    return events;
  }

  @Test
  void routeIsTheModelNameUnderTheBasePath() {
    assertThat(new SimpleEndpoint(null).requestPath("", "gpt-j-6b", true)).isEqualTo("/gpt-j-6b");
    assertThat(new SimpleEndpoint(null).requestPath("/serve/", "gpt-j-6b", true))
        .isEqualTo("/serve/gpt-j-6b");
    assertThat(new SimpleEndpoint("/custom").requestPath("", "gpt-j-6b", true))
        .isEqualTo("/custom");
  }

  @Test
  void requestCarriesZeroTemperatureAndTopKInsteadOfDroppingThem() throws Exception {
    RequestOptions options = new RequestOptions("gpt-j-6b", true, 0.0, null, 0, false, true, false);
    JsonNode body =
        MAPPER.readTree(
            new SimpleEndpoint(null).requestBody(new Prompt("Hi \"you\"", 3, 32), options));
    assertThat(body.path("text").asText()).isEqualTo("Hi \"you\"");
    assertThat(body.path("stream").asBoolean()).isTrue();
    JsonNode config = body.path("config");
    assertThat(config.path("max_new_tokens").asInt()).isEqualTo(32);
    assertThat(config.has("temperature")).isTrue();
    assertThat(config.path("temperature").asDouble()).isZero();
    assertThat(config.path("top_k").asInt()).isZero();
    assertThat(config.has("top_p")).isFalse();
    assertThat(config.path("do_sample").asBoolean(true)).isFalse();
    assertThat(config.path("ignore_eos").asBoolean()).isTrue();
  }

  @Test
  void doSampleIsAlwaysSentAsTheSeedSentIt() throws Exception {
    RequestOptions notGiven =
        new RequestOptions("gpt-j-6b", false, null, null, null, null, false, false);
    JsonNode config =
        MAPPER
            .readTree(new SimpleEndpoint(null).requestBody(new Prompt("Hi", 1, 8), notGiven))
            .path("config");
    assertThat(config.has("do_sample")).isTrue();
    assertThat(config.path("do_sample").asBoolean(true)).isFalse();
    RequestOptions given =
        new RequestOptions("gpt-j-6b", false, null, null, null, true, false, false);
    assertThat(
            MAPPER
                .readTree(new SimpleEndpoint(null).requestBody(new Prompt("Hi", 1, 8), given))
                .path("config")
                .path("do_sample")
                .asBoolean(false))
        .isTrue();
  }

  @Test
  void eachReadOfAPlainTextStreamIsOneChunk() {
    RecordingEvents events = parse(new PlainTextStreamParser(), "Hello", " world", "!");
    assertThat(events.chunks).containsExactly("Hello", " world", "!");
    assertThat(events.chunkNanos).containsExactly(1L, 2L, 3L);
    assertThat(events.failure).isNull();
  }

  @Test
  void aCharacterSplitAcrossReadsWaitsForItsLastByte() {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // three bytes
    String first = "a" + new String(euro, 0, 1, StandardCharsets.ISO_8859_1);
    String second = new String(euro, 1, 2, StandardCharsets.ISO_8859_1) + "b";
    RecordingEvents events = parse(new PlainTextStreamParser(), first, second);
    assertThat(events.chunks).containsExactly("a", "€b");
  }

  @Test
  void aReadHoldingOnlyPartOfACharacterIsNoChunk() {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    RecordingEvents events =
        parse(
            new PlainTextStreamParser(),
            new String(euro, 0, 2, StandardCharsets.ISO_8859_1),
            new String(euro, 2, 1, StandardCharsets.ISO_8859_1));
    assertThat(events.chunks).containsExactly("€");
    assertThat(events.chunkNanos).containsExactly(2L);
  }

  @Test
  void invalidUtf8FailsTheRequest() {
    RecordingEvents events = parse(new PlainTextStreamParser(), "ok", "\u00ff\u00fe");
    assertThat(events.failure).isEqualTo(FailureReason.PARSE);
    assertThat(events.failureMessage).contains("UTF-8");
  }

  @Test
  void aBodyEndingInsideACharacterFails() {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    RecordingEvents events =
        parse(
            new PlainTextStreamParser(), "a" + new String(euro, 0, 2, StandardCharsets.ISO_8859_1));
    assertThat(events.failure).isEqualTo(FailureReason.PARSE);
  }

  @Test
  void transformersEngineJson() {
    RecordingEvents events =
        parse(
            new SimpleJsonParser(),
            "{\"text\":\"out put\",\"input_length\":5,\"generate_length\":2}");
    assertThat(events.completeOutput).isEqualTo("out put");
    assertThat(events.promptTokens).isEqualTo(5);
    assertThat(events.completionTokens).isEqualTo(2);
  }

  @Test
  void vllmEngineJson() {
    RecordingEvents events =
        parse(
            new SimpleJsonParser(),
            "{\"generated_text\":\"x y z\",\"num_input_tokens\":4,\"num_generated_tokens\":3,\"finish_reason\":\"length\",\"error\":null}");
    assertThat(events.completeOutput).isEqualTo("x y z");
    assertThat(events.completionTokens).isEqualTo(3);
    assertThat(events.failure).isNull();
  }

  @Test
  void vllmEngineErrorFieldFailsTheRequest() {
    RecordingEvents events =
        parse(new SimpleJsonParser(), "{\"generated_text\":\"\",\"error\":\"engine dead\"}");
    assertThat(events.failure).isEqualTo(FailureReason.SERVER_ERROR);
    assertThat(events.failureMessage).isEqualTo("engine dead");
  }

  @Test
  void aBatchAnswerSumsItsCounts() {
    RecordingEvents events =
        parse(
            new SimpleJsonParser(),
            "[{\"text\":\"a\",\"input_length\":2,\"generate_length\":1},{\"text\":\"b\",\"input_length\":3,\"generate_length\":4}]");
    assertThat(events.completeOutput).isEqualTo("ab");
    assertThat(events.promptTokens).isEqualTo(5);
    assertThat(events.completionTokens).isEqualTo(5);
  }

  @Test
  void jsonWithoutTextFails() {
    RecordingEvents events = parse(new SimpleJsonParser(), "{\"detail\":\"not found\"}");
    assertThat(events.failure).isEqualTo(FailureReason.PARSE);
    assertThat(events.failureMessage).contains("detail");
  }
}
