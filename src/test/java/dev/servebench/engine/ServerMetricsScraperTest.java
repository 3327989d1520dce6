package dev.servebench.engine;

import static dev.servebench.testing.Await.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.record.ServerScrape;
import dev.servebench.testing.Expositions;
import dev.servebench.testing.MetricsPage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scraper against a test server's {@code /metrics}: scrapes stamped on the run's clock at the
 * interval, failures queued with their reason and never stopping it, and the probe before a run.
 */
class ServerMetricsScraperTest {

  private static final Duration INTERVAL = Duration.ofMillis(100);

  /** Takes what the scraper queued until {@code count} scrapes have come. */
  private static List<ServerScrape> take(ServerMetricsScraper scraper, int count)
      throws InterruptedException {
    List<ServerScrape> scrapes = new ArrayList<>();
    awaitUntil(
        count + " scrapes",
        () -> {
          for (ServerScrape scrape = scraper.poll(); scrape != null; scrape = scraper.poll()) {
            scrapes.add(scrape);
          }
          return scrapes.size() >= count;
        });
    return scrapes;
  }

  @Test
  void scrapesComeStampedOnTheRunsClockAtTheInterval() throws Exception {
    try (MetricsPage page = MetricsPage.start(Expositions.fixture("vllm.prom", 1, 2, 3))) {
      RunClock clock = RunClock.start();
      long startedNanos = System.nanoTime();
      ServerMetricsScraper scraper =
          ServerMetricsScraper.start(
              new ServerMetricsScraper.Target(URI.create(page.url()), INTERVAL, null),
              HttpClient.newHttpClient(),
              clock);
      List<ServerScrape> scrapes;
      try {
        scrapes = take(scraper, 3);
      } finally {
        scraper.close();
      }
      long tookNanos = System.nanoTime() - startedNanos;
      assertThat(scrapes).allSatisfy(scrape -> assertThat(scrape.succeeded()).isTrue());
      ServerScrape first = scrapes.get(0);
      assertThat(first.exposition().samples())
          .anySatisfy(
              sample -> {
                assertThat(sample.name()).isEqualTo("vllm:num_requests_running");
                assertThat(sample.value()).isEqualTo(12);
              });
      for (int i = 0; i < scrapes.size(); i++) {
        ServerScrape scrape = scrapes.get(i);
        assertThat(scrape.atNanos()).isBetween(0L, tookNanos);
        if (i > 0) {
          // On the interval's grid: never sooner than one interval after the one before.
          assertThat(scrape.atNanos() - scrapes.get(i - 1).atNanos())
              .isGreaterThanOrEqualTo(INTERVAL.toNanos() - 1_000_000);
        }
      }
    }
  }

  @Test
  void aFailedScrapeIsQueuedWithItsReasonAndScrapingGoesOn() throws Exception {
    try (MetricsPage page = MetricsPage.start(Expositions.fixture("sglang.prom", 1, 2, 3))) {
      page.answer(503);
      ServerMetricsScraper scraper =
          ServerMetricsScraper.start(
              new ServerMetricsScraper.Target(URI.create(page.url()), INTERVAL, null),
              HttpClient.newHttpClient(),
              RunClock.start());
      try {
        List<ServerScrape> failed = take(scraper, 1);
        assertThat(failed.get(0).succeeded()).isFalse();
        assertThat(failed.get(0).error()).isEqualTo("HTTP 503");
        page.answer(200);
        page.serve("not an exposition {\n");
        awaitUntil(
            "a scrape of the malformed page",
            () -> {
              ServerScrape scrape = scraper.poll();
              return scrape != null
                  && !scrape.succeeded()
                  && scrape.error().startsWith("not a Prometheus exposition: line 1");
            });
        page.serve(Expositions.fixture("sglang.prom", 1, 2, 3));
        awaitUntil(
            "a good scrape again",
            () -> {
              ServerScrape scrape = scraper.poll();
              return scrape != null && scrape.succeeded();
            });
      } finally {
        scraper.close();
      }
    }
  }

  @Test
  void theProbeSaysWhetherAnExpositionAnswers() throws Exception {
    try (MetricsPage page = MetricsPage.start(Expositions.fixture("tgi.prom", 1, 2, 3));
        HttpClient client = HttpClient.newHttpClient()) {
      URI url = URI.create(page.url());
      Duration timeout = Duration.ofSeconds(5);
      assertThat(ServerMetricsScraper.probe(url, timeout, null, client)).isNull();
      page.answer(404);
      assertThat(ServerMetricsScraper.probe(url, timeout, null, client)).isEqualTo("HTTP 404");
      page.answer(200);
      page.serve("# nothing but a comment\n");
      assertThat(ServerMetricsScraper.probe(url, timeout, null, client))
          .isEqualTo("it answers an exposition without samples");
    }
  }

  @Test
  void aServerThatStallsAfterItsHeadersFailsTheScrapeAndCloseReturns() throws Exception {
    try (MetricsPage page = MetricsPage.start(Expositions.fixture("vllm.prom", 1, 2, 3))) {
      page.stallAfterHeaders();
      ServerMetricsScraper scraper =
          ServerMetricsScraper.start(
              new ServerMetricsScraper.Target(URI.create(page.url()), INTERVAL, null),
              HttpClient.newHttpClient(),
              RunClock.start());
      List<ServerScrape> failed;
      try {
        // The body never comes: the scrape's own timeout (1 s at least) ends it.
        failed = take(scraper, 1);
      } finally {
        scraper.close(); // returns, though the next scrape is stalled too
      }
      assertThat(failed.get(0).succeeded()).isFalse();
      assertThat(failed.get(0).error()).isEqualTo("no answer within 1000 ms");
    }
  }

  @Test
  void closeDuringAStalledScrapeRecordsItAsFailed() throws Exception {
    try (MetricsPage page = MetricsPage.start(Expositions.fixture("vllm.prom", 1, 2, 3))) {
      page.stallAfterHeaders();
      ServerMetricsScraper scraper =
          ServerMetricsScraper.start(
              new ServerMetricsScraper.Target(URI.create(page.url()), INTERVAL, null),
              HttpClient.newHttpClient(),
              RunClock.start());
      awaitUntil("the first scrape is stalled", () -> page.stalled() > 0);
      scraper.close();
      ServerScrape scrape = scraper.poll();
      assertThat(scrape).isNotNull();
      assertThat(scrape.succeeded()).isFalse();
    }
  }

  @Test
  void theProbesTimeoutHoldsForTheBody() throws Exception {
    try (MetricsPage page = MetricsPage.start(Expositions.fixture("tgi.prom", 1, 2, 3));
        HttpClient client = HttpClient.newHttpClient()) {
      page.stallAfterHeaders();
      assertThat(
              ServerMetricsScraper.probe(
                  URI.create(page.url()), Duration.ofMillis(300), null, client))
          .isEqualTo("no answer within 300 ms");
      client.shutdownNow();
    }
  }
}
