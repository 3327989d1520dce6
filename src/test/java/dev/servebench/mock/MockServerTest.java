package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockServerTest {

  /** One instance for all tests, so the vocabulary scan of the tokenizer is cached. */
  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private MockServer server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  private MockServer start(UnaryOperator<MockServerConfig.Builder> settings) {
    server = MockServer.start(settings.apply(MockServerConfig.builder().tokenizer(R50K)).build());
    return server;
  }

  private MockServer start() {
    return start(builder -> builder);
  }

  // ---- OpenAI chat ----

  @Test
  void streamedChatSendsRoleChunkOneEventPerTokenUsageAndDone() throws Exception {
    start();
    String prompt = "Tell me about the sea.";

    HttpResponse<String> response =
        post(
            "/v1/chat/completions",
            """
            {"model":"m","messages":[{"role":"user","content":"%s"}],"max_tokens":12,
             "stream":true,"stream_options":{"include_usage":true}}\
            """
                .formatted(prompt));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> payloads = MockHttp.ssePayloads(response.body());
    assertThat(payloads).hasSize(1 + 12 + 1 + 1).last().isEqualTo("[DONE]");

    JsonNode role = JSON.readTree(payloads.get(0));
    assertThat(role.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(role.path("model").asText()).isEqualTo("m");
    assertThat(role.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(role.at("/choices/0/delta/content").asText()).isEmpty();

    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      JsonNode chunk = JSON.readTree(payloads.get(i));
      assertThat(chunk.path("id").asText()).isEqualTo(role.path("id").asText());
      assertThat(chunk.at("/choices/0/delta/content").asText()).isNotEmpty();
      assertThat(chunk.at("/choices/0/finish_reason").isNull()).isEqualTo(i < 12);
      text.append(chunk.at("/choices/0/delta/content").asText());
    }
    assertThat(JSON.readTree(payloads.get(12)).at("/choices/0/finish_reason").asText())
        .isEqualTo("length");
    assertThat(R50K.countTokens(text.toString())).isEqualTo(12);

    JsonNode usageEvent = JSON.readTree(payloads.get(13));
    assertThat(usageEvent.path("choices").isArray()).isTrue();
    assertThat(usageEvent.path("choices")).isEmpty();
    assertUsage(usageEvent.path("usage"), R50K.countTokens(prompt), 12);
    assertThat(server.requestsServed()).isEqualTo(1);
    assertThat(server.completionTokensGenerated()).isEqualTo(12);
    assertThat(server.promptTokensReceived()).isEqualTo(R50K.countTokens(prompt));
  }

  @Test
  void streamedChatWithoutIncludeUsageSendsNoUsage() throws Exception {
    start();

    List<String> payloads =
        MockHttp.ssePayloads(
            post(
                    "/v1/chat/completions",
                    """
                    {"messages":[{"role":"user","content":"hi"}],"max_tokens":3,"stream":true}\
                    """)
                .body());

    assertThat(payloads).hasSize(1 + 3 + 1).last().isEqualTo("[DONE]");
    assertThat(payloads).noneMatch(payload -> payload.contains("usage"));
  }

  @Test
  void streamedChatStartsWithContentWhenRoleChunkIsOff() throws Exception {
    start(builder -> builder.sendRoleChunk(false));

    List<String> payloads =
        MockHttp.ssePayloads(
            post(
                    "/v1/chat/completions",
                    """
                    {"messages":[{"role":"user","content":"hi"}],"max_tokens":3,"stream":true}\
                    """)
                .body());

    assertThat(payloads).hasSize(3 + 1);
    assertThat(JSON.readTree(payloads.get(0)).at("/choices/0/delta/content").asText()).isNotEmpty();
  }

  @Test
  void nonStreamedChatCountsAllMessagesAndReportsUsage() throws Exception {
    start(builder -> builder.modelName("served-model"));

    HttpResponse<String> response =
        post(
            "/v1/chat/completions",
            """
            {"messages":[{"role":"system","content":"Be brief."},
                         {"role":"user","content":[{"type":"text","text":"What is BPE?"}]}],
             "max_completion_tokens":20}\
            """);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("model").asText()).isEqualTo("served-model");
    assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    String text = body.at("/choices/0/message/content").asText();
    assertThat(R50K.countTokens(text)).isEqualTo(20);
    assertUsage(body.path("usage"), R50K.countTokens("Be brief.What is BPE?"), 20);
  }

  @Test
  void maxCompletionTokensWinsOverMaxTokens() throws Exception {
    start();

    JsonNode body =
        JSON.readTree(
            post(
                    "/v1/chat/completions",
                    """
                    {"messages":[{"role":"user","content":"x"}],
                     "max_tokens":50,"max_completion_tokens":7}\
                    """)
                .body());

    assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(7);
  }

  // ---- OpenAI completions ----

  @Test
  void streamedCompletionSendsTextEventsWithoutRoleChunk() throws Exception {
    start();

    List<String> payloads =
        MockHttp.ssePayloads(
            post(
                    "/v1/completions",
                    """
                    {"model":"m","prompt":"Once upon a time","max_tokens":5,"stream":true,
                     "stream_options":{"include_usage":true}}\
                    """)
                .body());

    assertThat(payloads).hasSize(5 + 1 + 1).last().isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    for (String payload : payloads.subList(0, 5)) {
      JsonNode chunk = JSON.readTree(payload);
      assertThat(chunk.path("object").asText()).isEqualTo("text_completion");
      text.append(chunk.at("/choices/0/text").asText());
    }
    assertThat(R50K.countTokens(text.toString())).isEqualTo(5);
    assertUsage(
        JSON.readTree(payloads.get(5)).path("usage"), R50K.countTokens("Once upon a time"), 5);
  }

  @Test
  void nonStreamedCompletionReportsTextAndUsage() throws Exception {
    start();

    JsonNode body =
        JSON.readTree(
            post(
                    "/v1/completions",
                    """
                    {"prompt":"Once upon a time","max_tokens":9}\
                    """)
                .body());

    assertThat(body.path("object").asText()).isEqualTo("text_completion");
    assertThat(body.path("model").asText()).isEqualTo("mock-model");
    assertThat(R50K.countTokens(body.at("/choices/0/text").asText())).isEqualTo(9);
    assertUsage(body.path("usage"), R50K.countTokens("Once upon a time"), 9);
  }

  // ---- LLM-on-Ray simple endpoint ----

  @Test
  void streamedSimpleEndpointSendsRawText() throws Exception {
    start();

    HttpResponse<String> response =
        post(
            "/gpt-j-6b",
            """
            {"text":"Hello there","config":{"max_new_tokens":15},"stream":true}\
            """);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    assertThat(R50K.countTokens(response.body())).isEqualTo(15);
    assertThat(server.promptTokensReceived()).isEqualTo(R50K.countTokens("Hello there"));
  }

  @Test
  void nonStreamedSimpleEndpointAnswersInTheTransformersShape() throws Exception {
    start();

    JsonNode body =
        JSON.readTree(
            post(
                    "/gpt-j-6b",
                    """
                    {"text":"Hello there","config":{"max_new_tokens":6}}\
                    """)
                .body());

    assertThat(R50K.countTokens(body.path("text").asText())).isEqualTo(6);
    assertThat(body.path("input_length").asInt()).isEqualTo(R50K.countTokens("Hello there"));
    assertThat(body.path("generate_length").asInt()).isEqualTo(6);
  }

  @Test
  void simpleEndpointAnswersInTheVllmShapeWhenConfigHasIgnoreEos() throws Exception {
    start();

    JsonNode body =
        JSON.readTree(
            post(
                    "/llama-2-7b-chat-hf",
                    """
                    {"text":"Hello there","config":{"max_new_tokens":6,"ignore_eos":true}}\
                    """)
                .body());

    assertThat(R50K.countTokens(body.path("generated_text").asText())).isEqualTo(6);
    assertThat(body.path("num_input_tokens").asInt()).isEqualTo(R50K.countTokens("Hello there"));
    assertThat(body.path("num_generated_tokens").asInt()).isEqualTo(6);
    assertThat(body.path("finish_reason").asText()).isEqualTo("length");
    assertThat(body.path("error").isNull()).isTrue();
  }

  @Test
  void simpleEndpointAnswersAListOfPromptsWithAnArray() throws Exception {
    start();

    JsonNode body =
        JSON.readTree(
            post(
                    "/gpt-j-6b",
                    """
                    {"text":["one","two words here"],"config":{"max_new_tokens":4}}\
                    """)
                .body());

    assertThat(body.isArray()).isTrue();
    assertThat(body).hasSize(2);
    assertThat(body.get(1).path("input_length").asInt())
        .isEqualTo(R50K.countTokens("two words here"));
    for (JsonNode result : body) {
      assertThat(R50K.countTokens(result.path("text").asText())).isEqualTo(4);
    }
    assertThat(server.completionTokensGenerated()).isEqualTo(8);
  }

  @Test
  void simpleEndpointRefusesToStreamAListOfPrompts() throws Exception {
    start();

    HttpResponse<String> response =
        post(
            "/gpt-j-6b",
            """
            {"text":["one","two"],"stream":true}\
            """);

    assertThat(response.statusCode()).isEqualTo(400);
  }

  @Test
  void simpleEndpointFailsWithServerErrorWithoutText() throws Exception {
    start();

    HttpResponse<String> response =
        post(
            "/gpt-j-6b",
            """
            {"prompt":"wrong key"}\
            """);

    assertThat(response.statusCode()).isEqualTo(500);
  }

  // ---- output length ----

  @Test
  void fixedOutputTokensOverrideTheRequest() throws Exception {
    start(builder -> builder.fixedOutputTokens(3));

    JsonNode chat =
        JSON.readTree(
            post(
                    "/v1/chat/completions",
                    """
                    {"messages":[{"role":"user","content":"x"}],"max_tokens":40}\
                    """)
                .body());
    JsonNode simple =
        JSON.readTree(
            post(
                    "/gpt-j-6b",
                    """
                    {"text":"x","config":{"max_new_tokens":40}}\
                    """)
                .body());

    assertThat(chat.at("/usage/completion_tokens").asInt()).isEqualTo(3);
    assertThat(simple.path("generate_length").asInt()).isEqualTo(3);
    assertThat(server.completionTokensGenerated()).isEqualTo(6);
  }

  @Test
  void defaultOutputTokensApplyWhenTheRequestNamesNoMaximum() throws Exception {
    start(builder -> builder.defaultOutputTokens(11));

    JsonNode body =
        JSON.readTree(
            post(
                    "/v1/chat/completions",
                    """
                    {"messages":[{"role":"user","content":"x"}]}\
                    """)
                .body());

    assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(11);
  }

  @Test
  void sameSeedGivesTheSameTextStreamedOrNot() throws Exception {
    start(builder -> builder.seed(7));
    String whole =
        JSON.readTree(
                post(
                        "/gpt-j-6b",
                        """
                        {"text":"x","config":{"max_new_tokens":30}}\
                        """)
                    .body())
            .path("text")
            .asText();
    server.close();
    start(builder -> builder.seed(7));

    String streamed =
        post(
                "/gpt-j-6b",
                """
                {"text":"x","config":{"max_new_tokens":30},"stream":true}\
                """)
            .body();

    assertThat(streamed).isEqualTo(whole);
  }

  // ---- timing ----

  @Test
  void streamedTokensArriveAfterTtftAndItlGaps() throws Exception {
    start(builder -> builder.ttftMillis(50).itlMillis(10));
    HttpRequest request =
        postRequest(
            "/v1/chat/completions",
            """
            {"messages":[{"role":"user","content":"x"}],"max_tokens":10,"stream":true}\
            """);

    long sentNanos = System.nanoTime();
    HttpResponse<Stream<String>> response = client.send(request, BodyHandlers.ofLines());
    long firstContentNanos = 0;
    int contentEvents = 0;
    try (Stream<String> lines = response.body()) {
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (!line.startsWith("data: {")) {
          continue;
        }
        if (!JSON.readTree(line.substring(6)).at("/choices/0/delta/content").asText().isEmpty()) {
          contentEvents++;
          if (firstContentNanos == 0) {
            firstContentNanos = System.nanoTime();
          }
        }
      }
    }
    long endNanos = System.nanoTime();

    assertThat(contentEvents).isEqualTo(10);
    assertThat(Duration.ofNanos(firstContentNanos - sentNanos)).isGreaterThanOrEqualTo(ms(50));
    assertThat(Duration.ofNanos(endNanos - sentNanos)).isGreaterThanOrEqualTo(ms(50 + 9 * 10));
  }

  @Test
  void nonStreamedAnswerTakesAsLongAsTheStreamWould() throws Exception {
    start(builder -> builder.ttftMillis(50).itlMillis(10));

    long sentNanos = System.nanoTime();
    HttpResponse<String> response =
        post(
            "/v1/completions",
            """
            {"prompt":"x","max_tokens":10}\
            """);
    long endNanos = System.nanoTime();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(endNanos - sentNanos)).isGreaterThanOrEqualTo(ms(50 + 9 * 10));
  }

  // ---- load and connections ----

  @Test
  void twoHundredConcurrentStreamsAllCompleteWithExactCounts() throws Exception {
    start(builder -> builder.ttftMillis(20).itlMillis(5));
    int streams = 200;
    int tokensPerStream = 20;
    HttpRequest request =
        postRequest(
            "/v1/chat/completions",
            """
            {"messages":[{"role":"user","content":"x"}],"max_tokens":%d,"stream":true,
             "stream_options":{"include_usage":true}}\
            """
                .formatted(tokensPerStream));

    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      responses.add(client.sendAsync(request, BodyHandlers.ofString()));
    }

    for (CompletableFuture<HttpResponse<String>> response : responses) {
      List<String> payloads = MockHttp.ssePayloads(response.get().body());
      StringBuilder text = new StringBuilder();
      for (String payload : payloads.subList(1, 1 + tokensPerStream)) {
        text.append(JSON.readTree(payload).at("/choices/0/delta/content").asText());
      }
      assertThat(R50K.countTokens(text.toString())).isEqualTo(tokensPerStream);
      assertThat(
              JSON.readTree(payloads.get(1 + tokensPerStream))
                  .at("/usage/completion_tokens")
                  .asInt())
          .isEqualTo(tokensPerStream);
    }
    assertThat(server.requestsServed()).isEqualTo(streams);
    assertThat(server.completionTokensGenerated()).isEqualTo((long) streams * tokensPerStream);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    start(builder -> builder.itlMillis(10));
    // The first answer takes longer than the second; HTTP/1.1 still wants it first.
    String first = MockHttp.rawPost("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":8}", "");
    String second =
        MockHttp.rawPost(
            "/v1/completions", "{\"prompt\":\"b\",\"max_tokens\":1}", "Connection: close\r\n");

    String answers;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((first + second).getBytes(StandardCharsets.UTF_8));
      answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(3);
    assertThat(answers.indexOf("cmpl-mock-0")).isLessThan(answers.indexOf("cmpl-mock-1"));
  }

  @Test
  void streamCutByTheClientIsNotCountedAndTheServerCarriesOn() throws Exception {
    start(builder -> builder.itlMillis(20));
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          MockHttp.rawPost(
                  "/gpt-j-6b",
                  "{\"text\":\"x\",\"config\":{\"max_new_tokens\":1000},\"stream\":true}",
                  "")
              .getBytes(StandardCharsets.UTF_8));
      MockHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
    }

    HttpResponse<String> next =
        post(
            "/gpt-j-6b",
            """
            {"text":"x","config":{"max_new_tokens":2}}\
            """);

    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(server.requestsServed()).isEqualTo(1);
    assertThat(server.completionTokensGenerated()).isEqualTo(2);
  }

  // ---- errors and listing ----

  @Test
  void invalidJsonIsRefusedWith400() throws Exception {
    start();

    for (String path : List.of("/v1/chat/completions", "/v1/completions", "/gpt-j-6b")) {
      for (String body : List.of("{not json", "{\"text\":\"x\"} trailing", "")) {
        HttpResponse<String> response = post(path, body);

        assertThat(response.statusCode()).as("%s <- %s", path, body).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/type").asText())
            .isEqualTo("invalid_request_error");
      }
    }
    assertThat(server.requestsServed()).isZero();
  }

  @Test
  void openAiRequestsWithoutPromptOrWithBadMaximumAreRefusedWith400() throws Exception {
    start();

    assertThat(post("/v1/chat/completions", "{\"messages\":[]}").statusCode()).isEqualTo(400);
    assertThat(post("/v1/completions", "{\"max_tokens\":3}").statusCode()).isEqualTo(400);
    assertThat(post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":0}").statusCode())
        .isEqualTo(400);
    assertThat(post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":\"5\"}").statusCode())
        .isEqualTo(400);
  }

  @Test
  void modelsAreListedAndUnknownGetRoutesAreNotFound() throws Exception {
    start(builder -> builder.modelName("gpt-j-6b"));

    HttpResponse<String> models = get("/v1/models");
    HttpResponse<String> unknown = get("/nothing/here");

    assertThat(models.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(models.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.at("/data/0/id").asText()).isEqualTo("gpt-j-6b");
    assertThat(body.at("/data/0/object").asText()).isEqualTo("model");
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void collectRunsACollectionAndIsNotAGenerationRequest() throws Exception {
    start();
    long collectionsBefore = collections();

    HttpResponse<String> collected = post("/servebench/collect", "");

    assertThat(collected.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(collected.body()).path("collected").asBoolean()).isTrue();
    assertThat(collections()).isGreaterThan(collectionsBefore);
    assertThat(server.requestsServed()).isZero();
  }

  private static long collections() {
    long total = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, collector.getCollectionCount());
    }
    return total;
  }

  @Test
  void baseUrlNamesTheBoundPort() {
    start();

    assertThat(server.port()).isPositive();
    assertThat(server.baseUrl()).isEqualTo("http://127.0.0.1:" + server.port());
  }

  // ---- helpers ----

  private HttpRequest postRequest(String path, String json) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private HttpResponse<String> post(String path, String json)
      throws IOException, InterruptedException {
    return client.send(postRequest(path, json), BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET().build(),
        BodyHandlers.ofString());
  }

  private static void assertUsage(JsonNode usage, int promptTokens, int completionTokens) {
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(promptTokens);
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(completionTokens);
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(promptTokens + completionTokens);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  @Test
  void ioThreadsAreBoundedUpFront() {
    assertThatThrownBy(() -> MockServerConfig.builder().ioThreads(100_000).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("mock server I/O threads must be at most 64, got 100000");
  }
}
