package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.servebench.exposition.ExpositionParser;
import dev.servebench.record.ServerScrape;
import dev.servebench.testing.Expositions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each server's series under the common names, counters as rates between scrapes (a reset
 * included), and the per-second series and statistics the summary keeps.
 */
class ServerMetricsTallyTest {

  private static final long SECOND = 1_000_000_000L;

  /** A fixture with its counters set: prompt, generation and preemption totals. */
  private static ServerScrape scrape(
      String fixture, long atNanos, long prompt, long generation, long preemptions) {
    String text = Expositions.fixture(fixture, prompt, generation, preemptions);
    return ServerScrape.read(atNanos, 1_000_000, ExpositionParser.parse(text));
  }

  private static Summary.ServerMetrics tally(ServerScrape... scrapes) {
    ServerMetricsTally tally = new ServerMetricsTally();
    for (ServerScrape scrape : scrapes) {
      tally.add(scrape);
    }
    return tally.summarize("http://127.0.0.1:8000/metrics");
  }

  private static double mean(Summary.ServerMetrics server, ServerFigure figure) {
    return server.figures().get(figure).mean();
  }

  @Test
  void vllmsSeriesGiveEveryFigureButTheBatchSize() {
    Summary.ServerMetrics server =
        tally(
            scrape("vllm.prom", 0, 1000, 5000, 2), scrape("vllm.prom", 2 * SECOND, 3000, 5800, 6));

    assertThat(server.servers()).containsExactly("vLLM");
    assertThat(mean(server, ServerFigure.RUNNING)).isEqualTo(12);
    assertThat(mean(server, ServerFigure.WAITING)).isEqualTo(3);
    assertThat(mean(server, ServerFigure.KV_CACHE_USAGE)).isEqualTo(0.42);
    // Over the two seconds between the scrapes: 2000 prompt tokens, 800 generated, 4 preemptions.
    assertThat(mean(server, ServerFigure.PROMPT_TOKENS_PER_S)).isCloseTo(1000, within(1e-9));
    assertThat(mean(server, ServerFigure.GENERATION_TOKENS_PER_S)).isCloseTo(400, within(1e-9));
    assertThat(mean(server, ServerFigure.PREEMPTIONS_PER_S)).isCloseTo(2, within(1e-9));
    assertThat(server.figures()).doesNotContainKey(ServerFigure.BATCH_SIZE);
    // A rate needs two readings; a gauge needs one.
    assertThat(server.figures().get(ServerFigure.RUNNING).scrapes()).isEqualTo(2);
    assertThat(server.figures().get(ServerFigure.PROMPT_TOKENS_PER_S).scrapes()).isEqualTo(1);
    assertThat(server.sources().get(ServerFigure.KV_CACHE_USAGE))
        .isEqualTo("vllm:kv_cache_usage_perc");
    assertThat(server.rawSeries())
        .containsExactly(
            "process_resident_memory_bytes",
            "vllm:time_to_first_token_seconds_bucket",
            "vllm:time_to_first_token_seconds_count",
            "vllm:time_to_first_token_seconds_sum");
  }

  @Test
  void sglangsGenerationCounterComesBeforeItsThroughputGauge() {
    Summary.ServerMetrics server =
        tally(scrape("sglang.prom", 0, 0, 0, 0), scrape("sglang.prom", SECOND, 700, 300, 0));

    assertThat(server.servers()).containsExactly("SGLang");
    assertThat(mean(server, ServerFigure.RUNNING)).isEqualTo(7);
    assertThat(mean(server, ServerFigure.WAITING)).isEqualTo(2);
    assertThat(mean(server, ServerFigure.KV_CACHE_USAGE)).isEqualTo(0.28);
    assertThat(mean(server, ServerFigure.PROMPT_TOKENS_PER_S)).isCloseTo(700, within(1e-9));
    // The counter's rate (300/s), never the gauge's 355, and never both added.
    assertThat(server.figures().get(ServerFigure.GENERATION_TOKENS_PER_S).max())
        .isCloseTo(300, within(1e-9));
    assertThat(server.sources().get(ServerFigure.GENERATION_TOKENS_PER_S))
        .isEqualTo("sglang:generation_tokens_total");
    assertThat(server.rawSeries()).containsExactly("sglang:cache_hit_rate");
  }

  @Test
  void tgisBatchIsItsRunningRequestsAndItsHistogramSumsGiveTokens() {
    Summary.ServerMetrics server =
        tally(scrape("tgi.prom", 0, 100, 50, 0), scrape("tgi.prom", 4 * SECOND, 500, 450, 0));

    assertThat(server.servers()).containsExactly("TGI");
    assertThat(mean(server, ServerFigure.RUNNING)).isEqualTo(9);
    assertThat(mean(server, ServerFigure.BATCH_SIZE)).isEqualTo(9);
    assertThat(mean(server, ServerFigure.WAITING)).isEqualTo(4);
    assertThat(mean(server, ServerFigure.PROMPT_TOKENS_PER_S)).isCloseTo(100, within(1e-9));
    assertThat(mean(server, ServerFigure.GENERATION_TOKENS_PER_S)).isCloseTo(100, within(1e-9));
    assertThat(server.figures()).doesNotContainKey(ServerFigure.KV_CACHE_USAGE);
  }

  @Test
  void llamaCppsSlotsAndCache() {
    Summary.ServerMetrics server =
        tally(
            scrape("llamacpp.prom", 0, 1000, 200, 0),
            scrape("llamacpp.prom", SECOND / 2, 1100, 260, 0));

    assertThat(server.servers()).containsExactly("llama.cpp");
    assertThat(mean(server, ServerFigure.RUNNING)).isEqualTo(4);
    assertThat(mean(server, ServerFigure.WAITING)).isEqualTo(1);
    assertThat(mean(server, ServerFigure.KV_CACHE_USAGE)).isEqualTo(0.5);
    assertThat(mean(server, ServerFigure.BATCH_SIZE)).isEqualTo(3.5);
    assertThat(mean(server, ServerFigure.PROMPT_TOKENS_PER_S)).isCloseTo(200, within(1e-9));
    assertThat(mean(server, ServerFigure.GENERATION_TOKENS_PER_S)).isCloseTo(120, within(1e-9));
  }

  @Test
  void aCounterLowerThanBeforeWasResetAndCountsFromZero() {
    Summary.ServerMetrics server =
        tally(
            scrape("vllm.prom", 0, 10_000, 0, 0),
            scrape("vllm.prom", SECOND, 10_500, 0, 0),
            // The server restarted: its counter went back to 0 and counted 300 since.
            scrape("vllm.prom", 2 * SECOND, 300, 0, 0),
            scrape("vllm.prom", 3 * SECOND, 1300, 0, 0));

    List<Double> rates =
        server.seconds().stream()
            .map(second -> second.value(ServerFigure.PROMPT_TOKENS_PER_S))
            .toList();
    assertThat(rates).containsExactly(Double.NaN, 500.0, 300.0, 1000.0);
    Summary.ServerFigureStats stats = server.figures().get(ServerFigure.PROMPT_TOKENS_PER_S);
    assertThat(stats.min()).isEqualTo(300);
    assertThat(stats.max()).isEqualTo(1000);
    assertThat(stats.mean()).isCloseTo(600, within(1e-9));
  }

  @Test
  void secondsAreTheRunsAndAFailedScrapeLeavesAGapAndIsCounted() {
    Summary.ServerMetrics server =
        tally(
            scrape("sglang.prom", SECOND / 10, 0, 0, 0),
            ServerScrape.failed(SECOND + SECOND / 10, 5_000_000, "HTTP 503"),
            scrape("sglang.prom", 2 * SECOND + SECOND / 10, 0, 0, 0),
            ServerScrape.failed(3 * SECOND + SECOND / 10, 5_000_000, "HTTP 502"));

    assertThat(server.scrapes()).isEqualTo(4);
    assertThat(server.failedScrapes()).isEqualTo(2);
    assertThat(server.firstError()).isEqualTo("HTTP 503");
    assertThat(server.seconds()).extracting(Summary.ServerSecond::second).containsExactly(0L, 2L);
    assertThat(server.seconds().get(1).values())
        .containsEntry(ServerFigure.RUNNING, 7.0)
        .doesNotContainKey(ServerFigure.BATCH_SIZE);
  }

  @Test
  void aScrapeBeforeTheStartIsOnlyTheCountersBaseline() {
    // Taken while the plan waited for --start-at: its gauge (99) must not be a figure of the run.
    Summary.ServerMetrics server =
        tally(
            vllm(-3 * SECOND / 2, 99, 1000),
            vllm(-SECOND / 2, 99, 1000),
            vllm(SECOND / 2, 4, 1500),
            vllm(3 * SECOND / 2, 6, 2500));

    assertThat(server.scrapes()).isEqualTo(4);
    Summary.ServerFigureStats running = server.figures().get(ServerFigure.RUNNING);
    assertThat(running.scrapes()).isEqualTo(2);
    assertThat(running.min()).isEqualTo(4);
    assertThat(running.max()).isEqualTo(6);
    // The first rate of the run counts from the last reading before it: 500 tokens in 1 s.
    Summary.ServerFigureStats prompt = server.figures().get(ServerFigure.PROMPT_TOKENS_PER_S);
    assertThat(prompt.scrapes()).isEqualTo(2);
    assertThat(prompt.min()).isCloseTo(500, within(1e-9));
    assertThat(prompt.max()).isCloseTo(1000, within(1e-9));
    assertThat(server.seconds()).extracting(Summary.ServerSecond::second).containsExactly(0L, 1L);
    assertThat(server.seconds().get(0).values()).containsEntry(ServerFigure.RUNNING, 4.0);
  }

  private static ServerScrape vllm(long atNanos, int running, long promptTokens) {
    String text =
        "vllm:num_requests_running "
            + running
            + "\nvllm:prompt_tokens_total "
            + promptTokens
            + "\n";
    return ServerScrape.read(atNanos, 1_000_000, ExpositionParser.parse(text));
  }

  @Test
  void noScrapeNoSection() {
    assertThat(new ServerMetricsTally().summarize(null)).isNull();
  }

  @Test
  void anUnknownServerKeepsEverySeriesRaw() {
    Summary.ServerMetrics server =
        tally(ServerScrape.read(0, 1, ExpositionParser.parse("up 1\nother_total{a=\"b\"} 3\n")));
    assertThat(server.servers()).isEmpty();
    assertThat(server.figures()).isEmpty();
    assertThat(server.rawSeries()).containsExactly("other_total", "up");
    assertThat(Map.copyOf(server.sources())).isEmpty();
  }
}
