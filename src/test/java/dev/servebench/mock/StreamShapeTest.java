package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Chunking, usage placement, reasoning, scripted timing, stalls and the write log. */
class StreamShapeTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NANOS_PER_MILLI = 1_000_000;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MockServer server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  private void start(UnaryOperator<MockServerConfig.Builder> settings) {
    server = MockServer.start(settings.apply(MockServerConfig.builder().tokenizer(R50K)).build());
  }

  @Test
  void chunksCarryTokensInTheConfiguredPattern() throws Exception {
    start(builder -> builder.tokensPerChunk(1, 3).sendRoleChunk(false));

    List<JsonNode> events = chat("req", 9, true);

    List<Integer> tokensPerEvent = new ArrayList<>();
    for (JsonNode event : events.subList(0, events.size() - 1)) {
      tokensPerEvent.add(R50K.countTokens(event.at("/choices/0/delta/content").asText()));
    }
    // 1 + 3 + 1 + 3, then the one token left.
    assertThat(tokensPerEvent).containsExactly(1, 3, 1, 3, 1);
    assertThat(events.get(4).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(events.getLast().at("/usage/completion_tokens").asInt()).isEqualTo(9);
  }

  @ParameterizedTest
  @EnumSource(UsagePlacement.class)
  void usageGoesWhereConfigured(UsagePlacement placement) throws Exception {
    start(builder -> builder.usagePlacement(placement).sendRoleChunk(false));

    List<JsonNode> events = chat("req", 3, true);

    List<JsonNode> contents = events.stream().filter(e -> !e.path("choices").isEmpty()).toList();
    List<JsonNode> usageOnly = events.stream().filter(e -> e.path("choices").isEmpty()).toList();
    assertThat(contents).hasSize(3);
    switch (placement) {
      case SEPARATE -> {
        assertThat(contents).noneMatch(e -> e.has("usage"));
        assertThat(usageOnly).singleElement().satisfies(e -> assertCompletionTokens(e, 3));
      }
      case IN_LAST_CONTENT -> {
        assertThat(contents.subList(0, 2)).noneMatch(e -> e.has("usage"));
        assertCompletionTokens(contents.get(2), 3);
        assertThat(usageOnly).isEmpty();
      }
      case ABSENT -> assertThat(events).noneMatch(e -> e.has("usage"));
      case CONTINUOUS -> {
        for (int i = 0; i < 3; i++) {
          assertCompletionTokens(contents.get(i), i + 1);
        }
        assertThat(usageOnly).singleElement().satisfies(e -> assertCompletionTokens(e, 3));
      }
    }
  }

  @Test
  void leadingTokensAreReasoningAndCountAsOutput() throws Exception {
    start(builder -> builder.reasoningTokens(3).tokensPerChunk(2).sendRoleChunk(false));

    List<JsonNode> events = chat("req", 6, true);

    StringBuilder reasoning = new StringBuilder();
    StringBuilder content = new StringBuilder();
    for (JsonNode event : events) {
      JsonNode delta = event.at("/choices/0/delta");
      assertThat(delta.has("reasoning_content") && delta.has("content")).isFalse();
      reasoning.append(delta.path("reasoning_content").asText());
      content.append(delta.path("content").asText());
    }
    // Chunks of 2 stop at the end of the reasoning: 2 + 1 reasoning, then 2 + 1 answer.
    assertThat(events).hasSize(4 + 1);
    assertThat(R50K.countTokens(reasoning.toString())).isEqualTo(3);
    assertThat(R50K.countTokens(content.toString())).isEqualTo(3);
    assertCompletionTokens(events.getLast(), 6);
  }

  @Test
  void writeLogMatchesWhatTheClientReceivedAndFollowsTheScript(@TempDir Path dir) throws Exception {
    Path scripts = dir.resolve("scripts.jsonl");
    Files.writeString(
        scripts, "{\"ttft_ms\":40,\"itl_ms\":[5,5,60,5]}\n\n{\"ttft_ms\":0,\"itl_ms\":[0]}\n");
    start(
        builder ->
            builder
                .latency(LatencySpec.Scripted.fromJsonLines(scripts))
                .tokensPerChunk(2)
                .recordWrites(10));

    List<JsonNode> first = chat("first", 6, false);
    List<JsonNode> second = chat("second", 6, false);
    List<JsonNode> third = chat("third", 6, false);

    RequestWrites writes = server.writeLog().get("first");
    assertThat(server.writeLog()).containsOnlyKeys("first", "second", "third");
    // The role-only event and [DONE] carry no tokens and are not chunks.
    assertThat(writes.chunks()).hasSize(first.size() - 1).hasSize(3);
    assertThat(writes.chunks()).extracting(RequestWrites.Chunk::tokens).containsExactly(2, 2, 2);
    assertThat(writes.totalTokens()).isEqualTo(6);
    long headersNanos = writes.headersNanos().orElseThrow();
    assertThat(headersNanos).isGreaterThanOrEqualTo(writes.receivedNanos());
    // Each chunk leaves when its last token is due: 40+5, then +5+60, then +5+5 (last repeats).
    long[] dueMillis = {45, 110, 120};
    long previousNanos = headersNanos;
    for (int i = 0; i < 3; i++) {
      long writeNanos = writes.chunks().get(i).writeNanos();
      assertThat(writeNanos).isGreaterThanOrEqualTo(previousNanos);
      assertThat(writeNanos - writes.receivedNanos())
          .isGreaterThanOrEqualTo(dueMillis[i] * NANOS_PER_MILLI)
          .isLessThan((dueMillis[i] + 2_000) * NANOS_PER_MILLI);
      previousNanos = writeNanos;
    }
    // Scripts cycle in arrival order: the third request follows the first script again.
    assertThat(second).hasSize(4);
    assertThat(third).hasSize(4);
    RequestWrites thirdWrites = server.writeLog().get("third");
    assertThat(thirdWrites.chunks().getLast().writeNanos() - thirdWrites.receivedNanos())
        .isGreaterThanOrEqualTo(120 * NANOS_PER_MILLI);
  }

  @Test
  void writeLogIsOffByDefaultAndBoundedWhenOn() throws Exception {
    start(builder -> builder);
    chat("a", 2, false);
    assertThat(server.writeLog()).isEmpty();
    server.close();

    start(builder -> builder.recordWrites(1));
    chat(null, 2, false);
    chat(null, 2, false);

    // Without a request id the arrival number names the entry.
    assertThat(server.writeLog()).containsOnlyKeys("0");
  }

  @Test
  void receivedIsWhenTheRequestsFirstBytesArrivedNotWhenItWasWhole() throws Exception {
    start(builder -> builder.ttftMillis(0).itlMillis(0).recordWrites(1));
    String request =
        MockHttp.rawPost(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1}",
            "X-Servebench-Request-Id: split\r\nConnection: close\r\n");
    long headSentNanos;
    long bodySentNanos;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      // The head now, the body 300 ms later: the server logs the first bytes' arrival.
      int headEnd = request.indexOf("\r\n\r\n") + 4;
      headSentNanos = System.nanoTime();
      out.write(request.substring(0, headEnd).getBytes(StandardCharsets.UTF_8));
      out.flush();
      Thread.sleep(300);
      bodySentNanos = System.nanoTime();
      out.write(request.substring(headEnd).getBytes(StandardCharsets.UTF_8));
      out.flush();
      socket.getInputStream().readAllBytes();
    }

    RequestWrites writes = server.writeLog().get("split");
    assertThat(writes.chunks()).isNotEmpty();
    // The server is in this process, on this clock: stamped when the whole request was read, the
    // stamp would come after the body was sent. (The sleep only gives the server's read of the
    // head time to happen before the body; a busy machine delays that read by far less.)
    assertThat(writes.receivedNanos()).isBetween(headSentNanos, bodySentNanos);
  }

  @Test
  void stallHoldsOnlyTheChosenRequestAfterItsTokens() throws Exception {
    start(
        builder ->
            builder
                .recordWrites(10)
                .stall(new Stall(2, 500, new RequestSelector.Numbers(Set.of(1L)))));

    chat("calm", 4, false);
    chat("stalled", 4, false);

    RequestWrites stalled = server.writeLog().get("stalled");
    assertThat(stalled.chunks().get(2).writeNanos() - stalled.receivedNanos())
        .isGreaterThanOrEqualTo(500 * NANOS_PER_MILLI);
    RequestWrites calm = server.writeLog().get("calm");
    assertThat(calm.chunks().getLast().writeNanos() - calm.receivedNanos())
        .isLessThan(500 * NANOS_PER_MILLI);
  }

  @Test
  void serverStallHoldsEveryWriteUntilItEnds() throws Exception {
    // The stream spans the whole window, so some two consecutive writes straddle it.
    start(
        builder ->
            builder
                .ttftMillis(0)
                .itlMillis(50)
                .recordWrites(1)
                .serverStall(new ServerStall(1_000, 2_000)));

    List<JsonNode> events = chat("req", 60, false);

    assertThat(events).hasSize(1 + 60);
    RequestWrites writes = server.writeLog().get("req");
    long longestGapNanos = 0;
    long previousNanos = writes.headersNanos().orElseThrow();
    for (RequestWrites.Chunk chunk : writes.chunks()) {
      longestGapNanos = Math.max(longestGapNanos, chunk.writeNanos() - previousNanos);
      previousNanos = chunk.writeNanos();
    }
    assertThat(longestGapNanos).isGreaterThanOrEqualTo(1_000 * NANOS_PER_MILLI);
  }

  /** A streamed chat request; the parsed events without {@code [DONE]}, which must end it. */
  private List<JsonNode> chat(String requestId, int maxTokens, boolean includeUsage)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(30))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    """
                    {"messages":[{"role":"user","content":"x"}],"max_tokens":%d,"stream":true,
                     "stream_options":{"include_usage":%b}}\
                    """
                        .formatted(maxTokens, includeUsage)));
    if (requestId != null) {
      request.header(MockRouter.REQUEST_ID_HEADER, requestId);
    }
    List<String> payloads =
        MockHttp.ssePayloads(client.send(request.build(), BodyHandlers.ofString()).body());
    assertThat(payloads).last().isEqualTo("[DONE]");
    List<JsonNode> events = new ArrayList<>();
    for (String payload : payloads.subList(0, payloads.size() - 1)) {
      events.add(JSON.readTree(payload));
    }
    return events;
  }

  private static void assertCompletionTokens(JsonNode event, int completionTokens) {
    assertThat(event.at("/usage/completion_tokens").asInt()).isEqualTo(completionTokens);
  }
}
