package dev.servebench.mock;

import static dev.servebench.testing.Await.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The capacity model through the server: who runs, who waits, and each token's gap, checked against
 * the server's own log of what it planned and wrote, never against wall-clock expectations.
 */
class MockServerCapacityTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");
  private static final long NANOS_PER_MILLI = 1_000_000;

  private static final int MAX_RUNNING = 4;
  private static final int REQUESTS = 20;
  private static final int OUTPUT_TOKENS = 6;

  /** Long enough that all requests have arrived before the first wave writes its first token. */
  private static final long TTFT_MILLIS = 300;

  private static final long ITL_MILLIS = 1;

  /** 4 running share 200 tok/s: a gap of 20 ms, well beyond the configured 1 ms. */
  private static final double TOKENS_PER_SECOND = 200;

  private static final double PREFILL_TOKENS_PER_SECOND = 1000;
  private static final String MODEL = "model_name=\"mock-model\"";
  private static final String PROMPT = "Tell me about the sea and the ships upon it.";

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MockServer server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  private CapacitySpec startSaturating() {
    CapacitySpec capacity =
        new CapacitySpec(MAX_RUNNING, TOKENS_PER_SECOND, PREFILL_TOKENS_PER_SECOND);
    server =
        MockServer.start(
            MockServerConfig.builder()
                .tokenizer(R50K)
                .ttftMillis(TTFT_MILLIS)
                .itlMillis(ITL_MILLIS)
                .fixedOutputTokens(OUTPUT_TOKENS)
                .recordWrites(REQUESTS)
                .capacity(capacity)
                .build());
    return capacity;
  }

  private CompletableFuture<HttpResponse<String>> stream(String requestId) {
    String body =
        """
        {"model":"m","prompt":"%s","max_tokens":%d,"stream":true}"""
            .formatted(PROMPT, OUTPUT_TOKENS);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
            .header("Content-Type", "application/json")
            .header(MockRouter.REQUEST_ID_HEADER, requestId)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.sendAsync(request, BodyHandlers.ofString());
  }

  private String scrape() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + MockServer.METRICS_PATH)).build(),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    return response.body();
  }

  /** The value of the sample {@code name{labels}}, as scraped. */
  private static double sample(String exposition, String nameAndLabels) {
    Matcher value =
        Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(exposition);
    assertThat(value.find()).as("a sample %s in%n%s", nameAndLabels, exposition).isTrue();
    return Double.parseDouble(value.group(1));
  }

  @Test
  void beyondMaxRunningRequestsWaitDrainFirstInFirstOutAndShareTheTokenBudget() throws Exception {
    CapacitySpec capacity = startSaturating();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      responses.add(stream("r" + i));
    }

    // Every request has arrived while the first wave is still on its first token.
    awaitUntil("16 requests waiting", () -> server.waitingRequests() == REQUESTS - MAX_RUNNING);
    assertThat(server.runningSequences()).isEqualTo(MAX_RUNNING);
    // A scrape reads both counts at one moment: the one that shows 16 waiting shows 4 running.
    AtomicReference<String> whileFull = new AtomicReference<>();
    awaitUntil(
        "a scrape showing 16 waiting",
        () -> {
          whileFull.set(scrape());
          return sample(whileFull.get(), "vllm:num_requests_waiting{" + MODEL + "}")
              == REQUESTS - MAX_RUNNING;
        });
    assertThat(sample(whileFull.get(), "vllm:num_requests_running{" + MODEL + "}"))
        .isEqualTo(MAX_RUNNING);
    assertThat(sample(whileFull.get(), "vllm:kv_cache_usage_perc{" + MODEL + "}")).isEqualTo(1.0);
    assertThat(sample(whileFull.get(), "vllm:gpu_cache_usage_perc{" + MODEL + "}")).isEqualTo(1.0);
    for (CompletableFuture<HttpResponse<String>> response : responses) {
      assertThat(response.get().statusCode()).isEqualTo(200);
    }
    awaitUntil("every place free", () -> server.runningSequences() == 0);
    assertThat(server.waitingRequests()).isZero();

    Map<String, RequestWrites> log = new LinkedHashMap<>(server.writeLog());
    assertThat(log).hasSize(REQUESTS);
    List<RequestWrites> byEntry =
        log.values().stream()
            .sorted(Comparator.comparingLong(w -> w.admission().orElseThrow().entryNumber()))
            .toList();
    // First in, first out: the n-th to arrive is the n-th to run.
    for (int n = 0; n < REQUESTS; n++) {
      RequestWrites.Admission admission = byEntry.get(n).admission().orElseThrow();
      assertThat(admission.entryNumber()).isEqualTo(n);
      assertThat(admission.admissionNumber()).isEqualTo(n);
    }
    long lastEnteredNanos =
        byEntry.stream().mapToLong(w -> w.admission().get().enteredNanos()).max().orElseThrow();
    long lastAdmittedNanos = byEntry.getLast().admission().get().admittedNanos();

    long ttftNanos =
        TTFT_MILLIS * NANOS_PER_MILLI + capacity.prefillNanos(R50K.countTokens(PROMPT));
    int gapsWhileFull = 0;
    for (RequestWrites writes : byEntry) {
      RequestWrites.Admission admission = writes.admission().get();
      List<RequestWrites.Chunk> chunks = writes.chunks();
      assertThat(chunks).hasSize(OUTPUT_TOKENS);
      // The TTFT counts from the request's place, its wait in the queue before it.
      assertThat(chunks.getFirst().dueNanos()).isEqualTo(admission.admittedNanos() + ttftNanos);
      for (int k = 0; k < chunks.size(); k++) {
        RequestWrites.Chunk chunk = chunks.get(k);
        assertThat(chunk.writeNanos()).isGreaterThanOrEqualTo(chunk.dueNanos());
        assertThat(chunk.runningSequences()).isBetween(1, MAX_RUNNING);
        if (k == 0) {
          continue;
        }
        RequestWrites.Chunk previous = chunks.get(k - 1);
        // Each gap is the running sequences' share of the budget, or the ITL when longer.
        long expectedGapNanos =
            Math.max(
                ITL_MILLIS * NANOS_PER_MILLI, capacity.budgetGapNanos(chunk.runningSequences()));
        assertThat(chunk.dueNanos() - previous.dueNanos()).isEqualTo(expectedGapNanos);
        // Planned between the previous write and this one, in a moment when someone waited.
        if (previous.writeNanos() >= lastEnteredNanos && chunk.writeNanos() < lastAdmittedNanos) {
          assertThat(chunk.runningSequences()).isEqualTo(MAX_RUNNING);
          assertThat(chunk.dueNanos() - previous.dueNanos()).isEqualTo(20 * NANOS_PER_MILLI);
          gapsWhileFull++;
        }
      }
    }
    assertThat(gapsWhileFull).as("gaps planned while requests waited").isPositive();

    String after = scrape();
    assertThat(sample(after, "vllm:num_requests_running{" + MODEL + "}")).isZero();
    assertThat(sample(after, "vllm:num_requests_waiting{" + MODEL + "}")).isZero();
    assertThat(sample(after, "vllm:prompt_tokens_total{" + MODEL + "}"))
        .isEqualTo(REQUESTS * R50K.countTokens(PROMPT));
    assertThat(sample(after, "vllm:generation_tokens_total{" + MODEL + "}"))
        .isEqualTo(REQUESTS * OUTPUT_TOKENS);
    assertThat(
            sample(after, "vllm:request_success_total{finished_reason=\"length\"," + MODEL + "}"))
        .isEqualTo(REQUESTS);
    assertThat(sample(after, "vllm:time_to_first_token_seconds_count{" + MODEL + "}"))
        .isEqualTo(REQUESTS);
    // The histogram holds the planned TTFTs: from each read to its first token's due time.
    double ttftSumSeconds =
        byEntry.stream().mapToLong(w -> w.chunks().getFirst().dueNanos() - w.receivedNanos()).sum()
            / 1e9;
    assertThat(sample(after, "vllm:time_to_first_token_seconds_sum{" + MODEL + "}"))
        .isCloseTo(ttftSumSeconds, org.assertj.core.api.Assertions.within(1e-9));
  }
}
