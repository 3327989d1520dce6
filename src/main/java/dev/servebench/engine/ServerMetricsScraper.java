package dev.servebench.engine;

import dev.servebench.exposition.Exposition;
import dev.servebench.exposition.ExpositionParser;
import dev.servebench.exposition.MalformedExpositionException;
import dev.servebench.record.ServerScrape;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Scrapes the server's Prometheus endpoint at a fixed interval during a run, on a daemon thread of
 * its own with the JDK's HTTP client: never on the runner's I/O threads, so a slow {@code /metrics}
 * delays no send and no stamp. Each scrape is stamped with the run's clock when it is sent and
 * queued for the thread that writes the records file ({@link #poll()}); a failed scrape is queued
 * too, with its reason, and the next one goes out on time.
 *
 * <p>Scrapes keep to the interval's grid from the run's start (0, 1 s, 2 s, ...); one that takes
 * longer than the interval makes the next ones it overlapped be skipped, never sent in a burst.
 */
public final class ServerMetricsScraper implements AutoCloseable {

  /** An answer larger than this is refused: a metrics page is tens of kilobytes. */
  static final int MAX_EXPOSITION_BYTES = 16 << 20;

  /** What a scrape asks for: the classic text format, which every server serves. */
  private static final String ACCEPT = "text/plain;version=0.0.4;q=1.0,*/*;q=0.1";

  /**
   * Where to scrape, how often, and with what.
   *
   * @param url the Prometheus endpoint, {@code http://host:port/metrics}
   * @param interval between scrapes
   * @param authorization the {@code Authorization} field to send, or {@code null}
   */
  public record Target(URI url, Duration interval, String authorization) {}

  private final Target target;
  private final HttpClient client;
  private final RunClock clock;
  private final Queue<ServerScrape> scrapes = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean stopped;

  private ServerMetricsScraper(Target target, HttpClient client, RunClock clock) {
    this.target = target;
    this.client = client;
    this.clock = clock;
    this.thread =
        Thread.ofPlatform().daemon().name("servebench-server-metrics").unstarted(this::loop);
  }

  /**
   * Starts scraping {@code target} now, the first scrape at once; {@code client} is closed with the
   * scraper.
   */
  public static ServerMetricsScraper start(Target target, HttpClient client, RunClock clock) {
    ServerMetricsScraper scraper = new ServerMetricsScraper(target, client, clock);
    scraper.thread.start();
    return scraper;
  }

  /** The oldest scrape not yet taken, or {@code null}. */
  public ServerScrape poll() {
    return scrapes.poll();
  }

  /**
   * Whether {@code url} answers with an exposition holding at least one sample within {@code
   * timeout}: a server that keeps no metrics answers 404, or a page of something else.
   *
   * @return {@code null} when it does, else why not, in a few words
   */
  public static String probe(URI url, Duration timeout, String authorization, HttpClient client) {
    try {
      Exposition exposition = fetch(client, url, timeout, authorization);
      return exposition.samples().isEmpty() ? "it answers an exposition without samples" : null;
    } catch (ScrapeFailure failure) {
      return failure.getMessage();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private void loop() {
    long intervalNanos = target.interval().toNanos();
    long timeoutNanos = Math.max(intervalNanos, Duration.ofSeconds(1).toNanos());
    long dueNanos = System.nanoTime();
    while (!stopped) {
      long waitNanos = dueNanos - System.nanoTime();
      if (waitNanos > 0) {
        LockSupport.parkNanos(waitNanos);
        continue; // woken early (a stop, or spuriously): look again
      }
      long sentNanos = System.nanoTime();
      ServerScrape scrape;
      try {
        Exposition exposition =
            fetch(client, target.url(), Duration.ofNanos(timeoutNanos), target.authorization());
        scrape =
            ServerScrape.read(clock.since(sentNanos), System.nanoTime() - sentNanos, exposition);
      } catch (ScrapeFailure failure) {
        scrape =
            ServerScrape.failed(
                clock.since(sentNanos), System.nanoTime() - sentNanos, failure.getMessage());
      } catch (InterruptedException interrupted) {
        return;
      }
      scrapes.add(scrape);
      long nowNanos = System.nanoTime();
      do {
        dueNanos += intervalNanos;
      } while (dueNanos <= nowNanos);
    }
  }

  private static Exposition fetch(
      HttpClient client, URI url, Duration timeout, String authorization)
      throws ScrapeFailure, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url).timeout(timeout).header("Accept", ACCEPT).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<InputStream> response;
    byte[] body;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_EXPOSITION_BYTES + 1);
      }
    } catch (HttpTimeoutException slow) {
      throw new ScrapeFailure("no answer within " + timeout.toMillis() + " ms");
    } catch (IOException broken) {
      String message = broken.getMessage();
      throw new ScrapeFailure(
          broken.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }
    if (response.statusCode() != 200) {
      throw new ScrapeFailure("HTTP " + response.statusCode());
    }
    if (body.length > MAX_EXPOSITION_BYTES) {
      throw new ScrapeFailure("the answer is larger than " + (MAX_EXPOSITION_BYTES >> 20) + " MiB");
    }
    try {
      return ExpositionParser.parse(new String(body, StandardCharsets.UTF_8));
    } catch (MalformedExpositionException malformed) {
      throw new ScrapeFailure("not a Prometheus exposition: " + malformed.getMessage());
    }
  }

  /**
   * Stops scraping; what was scraped stays to be {@linkplain #poll() taken}. A scrape in flight is
   * waited for (its timeout bounds the wait), so that a run shorter than its first scrape still has
   * it.
   */
  @Override
  public void close() throws InterruptedException {
    stopped = true;
    LockSupport.unpark(thread);
    thread.join();
    client.close();
  }

  /** A scrape that brought no exposition, and why. */
  private static final class ScrapeFailure extends Exception {
    ScrapeFailure(String message) {
      super(message, null, false, false);
    }
  }
}
