package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's TGI, SGLang, Triton and embeddings answers, streamed and whole, as raw HTTP. */
class NativeFormatsTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "Tell me a story";

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MockServer server;

  @BeforeEach
  void startServer() {
    server =
        MockServer.start(
            MockServerConfig.builder().tokenizer(R50K).ttftMillis(0).itlMillis(0).build());
  }

  @AfterEach
  void closeServer() {
    server.close();
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        BodyHandlers.ofString());
  }

  /** The JSON of every {@code data:} event but {@code [DONE]}, in order. */
  private static List<JsonNode> events(String body) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      assertThat(event).startsWith("data:");
      String data = event.substring("data:".length()).strip();
      if (!data.equals("[DONE]")) {
        events.add(JSON.readTree(data));
      }
    }
    return events;
  }

  @Test
  void tgiStreamsATokenPerEventAndEndsWithTheWholeTextAndDetails() throws Exception {
    HttpResponse<String> response =
        post(
            "/generate_stream",
            "{\"inputs\":\""
                + PROMPT
                + "\",\"parameters\":{\"max_new_tokens\":5,\"details\":true}}");
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<JsonNode> events = events(response.body());
    assertThat(events).hasSize(5);
    StringBuilder text = new StringBuilder();
    for (JsonNode event : events) {
      assertThat(event.at("/token/special").asBoolean()).isFalse();
      text.append(event.at("/token/text").asText());
    }
    assertThat(events.subList(0, 4)).allMatch(e -> e.get("generated_text").isNull());
    JsonNode last = events.getLast();
    assertThat(last.get("generated_text").asText()).isEqualTo(text.toString());
    assertThat(last.at("/details/generated_tokens").asInt()).isEqualTo(5);
    assertThat(last.at("/details/input_length").asInt()).isEqualTo(R50K.countTokens(PROMPT));
    assertThat(R50K.countTokens(text.toString())).isEqualTo(5);
    assertThat(response.body()).doesNotContain("[DONE]");
  }

  @Test
  void tgiAnswersWholeAtGenerate() throws Exception {
    JsonNode body =
        JSON.readTree(
            post(
                    "/generate",
                    "{\"inputs\":\"" + PROMPT + "\",\"parameters\":{\"max_new_tokens\":4}}")
                .body());
    assertThat(R50K.countTokens(body.get("generated_text").asText())).isEqualTo(4);
    assertThat(body.at("/details/generated_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void sglangSendsTheWholeTextSoFarAndRunningCountsThenDone() throws Exception {
    HttpResponse<String> response =
        post(
            "/generate",
            "{\"text\":\""
                + PROMPT
                + "\",\"sampling_params\":{\"max_new_tokens\":4},\"stream\":true}");
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
    List<JsonNode> events = events(response.body());
    assertThat(events).hasSize(4);
    String previous = "";
    for (int i = 0; i < events.size(); i++) {
      String text = events.get(i).get("text").asText();
      assertThat(text).startsWith(previous).isNotEqualTo(previous);
      assertThat(R50K.countTokens(text)).isEqualTo(i + 1);
      assertThat(events.get(i).at("/meta_info/completion_tokens").asInt()).isEqualTo(i + 1);
      assertThat(events.get(i).at("/meta_info/prompt_tokens").asInt())
          .isEqualTo(R50K.countTokens(PROMPT));
      previous = text;
    }
    assertThat(events.getLast().at("/meta_info/finish_reason/type").asText()).isEqualTo("length");
    JsonNode whole =
        JSON.readTree(
            post(
                    "/generate",
                    "{\"text\":\"" + PROMPT + "\",\"sampling_params\":{\"max_new_tokens\":3}}")
                .body());
    assertThat(R50K.countTokens(whole.get("text").asText())).isEqualTo(3);
    assertThat(whole.at("/meta_info/completion_tokens").asInt()).isEqualTo(3);
  }

  @Test
  void tritonStreamsNewTextWithoutCountsOrMarker() throws Exception {
    HttpResponse<String> response =
        post(
            "/v2/models/ensemble/generate_stream",
            "{\"text_input\":\"" + PROMPT + "\",\"max_tokens\":4,\"stream\":true}");
    List<JsonNode> events = events(response.body());
    assertThat(events).hasSize(4);
    StringBuilder text = new StringBuilder();
    for (JsonNode event : events) {
      assertThat(event.get("model_name").asText()).isEqualTo("ensemble");
      text.append(event.get("text_output").asText());
    }
    assertThat(R50K.countTokens(text.toString())).isEqualTo(4);
    assertThat(response.body()).doesNotContain("[DONE]").doesNotContain("tokens");
    JsonNode whole =
        JSON.readTree(
            post(
                    "/v2/models/ensemble/generate",
                    "{\"text_input\":\"" + PROMPT + "\",\"max_tokens\":2}")
                .body());
    assertThat(R50K.countTokens(whole.get("text_output").asText())).isEqualTo(2);
    assertThat(post("/v2/models/ensemble/infer", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void embeddingsAnswerAVectorAndThePromptsTokens() throws Exception {
    JsonNode body =
        JSON.readTree(
            post("/v1/embeddings", "{\"model\":\"m\",\"input\":\"" + PROMPT + "\"}").body());
    assertThat(body.at("/data/0/embedding").size()).isEqualTo(EmbeddingsFormat.DIMENSIONS);
    assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(R50K.countTokens(PROMPT));
    assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(R50K.countTokens(PROMPT));
    assertThat(body.get("model").asText()).isEqualTo("m");
  }

  @Test
  void aPromptOfTheWrongTypeIsRefused() throws Exception {
    assertThat(post("/generate", "{\"inputs\":[1,2]}").statusCode()).isEqualTo(400);
    assertThat(post("/v1/embeddings", "{\"model\":\"m\"}").body()).contains("'input'");
  }
}
