package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: valid text exposition, vLLM's names, the server's true counts. */
class VllmMetricsTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  /** {@code name{labels} value}, the only sample form the server writes (no timestamps). */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)"
              + "\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\}"
              + " ([-+]?(?:[0-9]+\\.[0-9]+(?:E-?[0-9]+)?|\\+Inf|-Inf|NaN))");

  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private static final Pattern COMMENT =
      Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)");

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

  /** One sample as parsed: its labels and value. */
  private record Sample(String name, Map<String, String> labels, double value) {}

  /**
   * Parses the exposition, checking the format as it goes: each family's HELP and TYPE once, before
   * its samples, which follow together; counters end in {@code _total}; a histogram's buckets rise
   * in {@code le}, their counts never fall, and {@code +Inf} equals {@code _count}.
   */
  private static List<Sample> parse(String exposition) {
    assertThat(exposition).endsWith("\n");
    Map<String, String> types = new HashMap<>();
    Set<String> helped = new HashSet<>();
    Set<String> closedFamilies = new HashSet<>();
    String family = null;
    List<Sample> samples = new ArrayList<>();
    for (String line : exposition.split("\n")) {
      Matcher comment = COMMENT.matcher(line);
      if (comment.matches()) {
        String name = comment.group(2);
        if (comment.group(1).equals("HELP")) {
          assertThat(helped.add(name)).as("one HELP for %s", name).isTrue();
        } else {
          assertThat(helped).as("HELP before TYPE of %s", name).contains(name);
          assertThat(types.put(name, comment.group(3))).as("one TYPE for %s", name).isNull();
          assertThat(comment.group(3)).isIn("gauge", "counter", "histogram");
          if (family != null) {
            closedFamilies.add(family);
          }
          family = name;
        }
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      assertThat(sample.matches()).as("a sample line: %s", line).isTrue();
      String name = sample.group(1);
      assertThat(family).as("a TYPE before %s", line).isNotNull();
      String base = name.replaceFirst("_(bucket|count|sum)$", "");
      boolean ofFamily =
          name.equals(family) || (types.get(family).equals("histogram") && base.equals(family));
      assertThat(ofFamily).as("%s in its family %s", line, family).isTrue();
      assertThat(closedFamilies).doesNotContain(family);
      Map<String, String> labels = new LinkedHashMap<>();
      Matcher label = LABEL.matcher(sample.group(2));
      while (label.find()) {
        assertThat(labels.put(label.group(1), label.group(2))).isNull();
      }
      samples.add(new Sample(name, labels, Double.parseDouble(sample.group(3))));
    }
    types.forEach(
        (name, type) -> {
          if (type.equals("counter")) {
            assertThat(name).endsWith("_total");
          }
          if (type.equals("histogram")) {
            checkHistogram(name, samples);
          }
        });
    return samples;
  }

  private static void checkHistogram(String name, List<Sample> samples) {
    List<Sample> buckets = samples.stream().filter(s -> s.name().equals(name + "_bucket")).toList();
    assertThat(buckets).isNotEmpty();
    double previousBound = Double.NEGATIVE_INFINITY;
    double previousCount = 0;
    for (Sample bucket : buckets) {
      String le = bucket.labels().get("le");
      double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
      assertThat(bound).isGreaterThan(previousBound);
      assertThat(bucket.value()).isGreaterThanOrEqualTo(previousCount);
      previousBound = bound;
      previousCount = bucket.value();
    }
    assertThat(previousBound).isInfinite();
    assertThat(value(samples, name + "_count", Map.of())).isEqualTo(previousCount);
    assertThat(samples).anyMatch(s -> s.name().equals(name + "_sum"));
  }

  /** The one sample of {@code name} whose labels include {@code labels}. */
  private static double value(List<Sample> samples, String name, Map<String, String> labels) {
    List<Sample> found =
        samples.stream()
            .filter(s -> s.name().equals(name))
            .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
            .toList();
    assertThat(found).as("one sample %s%s", name, labels).hasSize(1);
    return found.getFirst().value();
  }

  private List<Sample> scrape() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + MockServer.METRICS_PATH)).build(),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue(VllmMetrics.CONTENT_TYPE);
    return parse(response.body());
  }

  private void complete(String requestId, String prompt, int maxTokens, boolean stream)
      throws Exception {
    String body =
        """
        {"model":"m","prompt":"%s","max_tokens":%d,"stream":%b}"""
            .formatted(prompt, maxTokens, stream);
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                .header(MockRouter.REQUEST_ID_HEADER, requestId)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void countersGrowByWhatTheRequestsCarriedAndTheHistogramHoldsTheirTtfts() throws Exception {
    start(builder -> builder.ttftMillis(3).itlMillis(1).recordWrites(100));
    List<Sample> before = scrape();
    Map<String, String> model = Map.of("model_name", "mock-model");
    assertThat(value(before, "vllm:prompt_tokens_total", model)).isZero();
    assertThat(value(before, "vllm:time_to_first_token_seconds_count", model)).isZero();

    String[] prompts = {"One short prompt.", "A second prompt, a little longer than the first."};
    int[] maxTokens = {5, 9, 2, 7, 4};
    long promptTokens = 0;
    long outputTokens = 0;
    for (int i = 0; i < maxTokens.length; i++) {
      String prompt = prompts[i % prompts.length];
      complete("r" + i, prompt, maxTokens[i], i % 2 == 0);
      promptTokens += R50K.countTokens(prompt);
      outputTokens += maxTokens[i];
    }

    List<Sample> after = scrape();
    assertThat(value(after, "vllm:prompt_tokens_total", model)).isEqualTo(promptTokens);
    assertThat(value(after, "vllm:generation_tokens_total", model)).isEqualTo(outputTokens);
    assertThat(
            value(
                after,
                "vllm:request_success_total",
                Map.of("model_name", "mock-model", "finished_reason", "length")))
        .isEqualTo(maxTokens.length);
    assertThat(
            value(
                after,
                "vllm:request_success_total",
                Map.of("model_name", "mock-model", "finished_reason", "stop")))
        .isZero();
    assertThat(value(after, "vllm:num_preemptions_total", model)).isZero();
    assertThat(value(after, "vllm:num_requests_running", model)).isZero();
    assertThat(value(after, "vllm:num_requests_waiting", model)).isZero();
    // Without a limit on running requests the cache is never full.
    assertThat(value(after, "vllm:gpu_cache_usage_perc", model)).isZero();

    // Each request's TTFT, from the server's log: its read to its first token's due time. A whole
    // answer's one write was due after all its gaps, 1 ms each.
    List<Double> ttftSeconds = new ArrayList<>();
    server
        .writeLog()
        .forEach(
            (requestId, writes) -> {
              int i = Integer.parseInt(requestId.substring(1));
              long gapsNanos = i % 2 == 0 ? 0 : (maxTokens[i] - 1) * 1_000_000L;
              long firstDueNanos = writes.chunks().getFirst().dueNanos() - gapsNanos;
              ttftSeconds.add((firstDueNanos - writes.receivedNanos()) / 1e9);
            });
    assertThat(ttftSeconds).hasSize(maxTokens.length);
    assertThat(value(after, "vllm:time_to_first_token_seconds_sum", model))
        .isCloseTo(ttftSeconds.stream().mapToDouble(Double::doubleValue).sum(), within(1e-9));
    for (Sample bucket : after) {
      if (bucket.name().equals("vllm:time_to_first_token_seconds_bucket")) {
        String le = bucket.labels().get("le");
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        assertThat(bucket.value())
            .as("TTFTs at most %s s", le)
            .isEqualTo(ttftSeconds.stream().filter(s -> s <= bound).count());
      }
    }
  }

  @Test
  void aModelNameIsEscapedInItsLabel() throws Exception {
    start(builder -> builder.modelName("odd \"name\" \\ here"));

    List<Sample> samples = scrape();

    assertThat(samples)
        .allMatch(s -> s.labels().get("model_name").equals("odd \\\"name\\\" \\\\ here"));
  }

  @Test
  void numbersAreWrittenAsPythonWritesFloats() {
    assertThat(VllmMetrics.number(4)).isEqualTo("4.0");
    assertThat(VllmMetrics.number(0.25)).isEqualTo("0.25");
    assertThat(VllmMetrics.number(2560)).isEqualTo("2560.0");
  }
}
