package dev.servebench.engine;

import dev.servebench.exposition.Exposition;
import dev.servebench.exposition.ExpositionParser;
import dev.servebench.exposition.MalformedExpositionException;
import dev.servebench.record.ServerScrape;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Scrapes the server's Prometheus endpoint at a fixed interval during a run, on a daemon thread of
 * its own with the JDK's HTTP client: never on the runner's I/O threads, so a slow {@code /metrics}
 * delays no send and no stamp. Each scrape is stamped with the run's clock when it is sent and
 * queued for the thread that writes the records file ({@link #poll()}); a failed scrape is queued
 * too, with its reason, and the next one goes out on time.
 *
 * <p>Scrapes keep to the interval's grid from the later of the scraper's start and the run clock's
 * anchor, so that none is stamped before the run's start (a plan waiting for {@code --start-at}
 * would otherwise scrape while idle); one that takes longer than the interval makes the next ones
 * it overlapped be skipped, never sent in a burst. Each scrape, body included, is bounded by its
 * timeout (the interval, at least 1 s): a server that sends its headers and then stalls fails that
 * scrape, never the run's end.
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
  private final long timeoutNanos;
  private volatile boolean stopped;

  /** When the scrape in flight was sent (nanoTime), or -1 between scrapes. */
  private volatile long inFlightSentNanos = -1;

  /** Set, under {@link #scrapes}' lock, when {@link #close()} gave up on the thread. */
  private boolean abandoned;

  private ServerMetricsScraper(Target target, HttpClient client, RunClock clock) {
    this.target = target;
    this.client = client;
    this.clock = clock;
    this.timeoutNanos = Math.max(target.interval().toNanos(), Duration.ofSeconds(1).toNanos());
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
   * timeout}, body included: a server that keeps no metrics answers 404, or a page of something
   * else.
   *
   * @return {@code null} when it does, else why not, in a few words
   */
  public static String probe(URI url, Duration timeout, String authorization, HttpClient client) {
    try {
      Exposition exposition = fetch(client, url, timeout, authorization);
      return exposition.samples().isEmpty() ? "it answers an exposition without samples" : null;
    } catch (ScrapeFailure failure) {
      return failure.getMessage();
    } catch (RuntimeException bug) {
      return unexpected(bug); // a probe that breaks only means no scraping, said in a line
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private void loop() {
    long intervalNanos = target.interval().toNanos();
    long dueNanos = Math.max(System.nanoTime(), clock.anchorNanos());
    while (!stopped) {
      long waitNanos = dueNanos - System.nanoTime();
      if (waitNanos > 0) {
        LockSupport.parkNanos(waitNanos);
        continue; // woken early (a stop, or spuriously): look again
      }
      long sentNanos = System.nanoTime();
      inFlightSentNanos = sentNanos;
      ServerScrape scrape;
      boolean interrupted = false;
      try {
        Exposition exposition =
            fetch(client, target.url(), Duration.ofNanos(timeoutNanos), target.authorization());
        scrape =
            ServerScrape.read(clock.since(sentNanos), System.nanoTime() - sentNanos, exposition);
      } catch (ScrapeFailure failure) {
        scrape =
            ServerScrape.failed(
                clock.since(sentNanos), System.nanoTime() - sentNanos, failure.getMessage());
      } catch (RuntimeException bug) {
        // Recorded like any failure: a thread that died here would end the scrapes unseen and
        // print a stack trace into the run's output.
        scrape =
            ServerScrape.failed(
                clock.since(sentNanos), System.nanoTime() - sentNanos, unexpected(bug));
      } catch (InterruptedException stop) {
        // close() ran out of patience: the scrape in flight is recorded as failed, and no more.
        interrupted = true;
        scrape =
            ServerScrape.failed(
                clock.since(sentNanos), System.nanoTime() - sentNanos, STOPPED_UNANSWERED);
      }
      synchronized (scrapes) {
        inFlightSentNanos = -1;
        if (!abandoned) {
          scrapes.add(scrape);
        }
      }
      if (interrupted) {
        return;
      }
      long nowNanos = System.nanoTime();
      do {
        dueNanos += intervalNanos;
      } while (dueNanos <= nowNanos);
    }
  }

  /** Why a scrape still in flight when the scraper stopped has no exposition. */
  static final String STOPPED_UNANSWERED = "no answer yet when scraping stopped";

  /**
   * One GET of {@code url}, all of it (connection, headers and body) within {@code timeout}: the
   * client's own request timeout stops at the headers, so the exchange is waited for with a limit
   * and cancelled past it, which closes its connection.
   */
  private static Exposition fetch(
      HttpClient client, URI url, Duration timeout, String authorization)
      throws ScrapeFailure, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url).timeout(timeout).header("Accept", ACCEPT).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    CompletableFuture<HttpResponse<byte[]>> exchange =
        client.sendAsync(request.build(), info -> new LimitedBody());
    HttpResponse<byte[]> response;
    try {
      response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException slow) {
      exchange.cancel(true);
      throw new ScrapeFailure("no answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException stop) {
      exchange.cancel(true);
      throw stop;
    } catch (ExecutionException failed) {
      throw failure(failed.getCause(), timeout);
    }
    if (response.statusCode() != 200) {
      throw new ScrapeFailure("HTTP " + response.statusCode());
    }
    try {
      return ExpositionParser.parse(new String(response.body(), StandardCharsets.UTF_8));
    } catch (MalformedExpositionException malformed) {
      throw new ScrapeFailure("not a Prometheus exposition: " + malformed.getMessage());
    }
  }

  /** An exception no scrape should throw, in a few words. */
  private static String unexpected(RuntimeException bug) {
    String message = bug.getMessage();
    return bug.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** What an exchange that failed failed with, in a few words. */
  private static ScrapeFailure failure(Throwable cause, Duration timeout) {
    for (Throwable at = cause; at != null; at = at.getCause()) {
      if (at instanceof ScrapeFailure failure) {
        return failure; // the body was too large
      }
      if (at instanceof HttpTimeoutException) {
        return new ScrapeFailure("no answer within " + timeout.toMillis() + " ms");
      }
    }
    String message = cause == null ? null : cause.getMessage();
    String kind = cause == null ? "failure" : cause.getClass().getSimpleName();
    return new ScrapeFailure(kind + (message == null ? "" : ": " + message));
  }

  /**
   * Stops scraping; what was scraped stays to be {@linkplain #poll() taken}. A scrape in flight is
   * waited for, so that a run shorter than its first scrape still has it, but no longer than its
   * timeout and a second more: past that the thread is interrupted, and if it still does not end,
   * left behind (it is a daemon) with its scrape recorded as failed. Idempotent.
   */
  @Override
  public void close() throws InterruptedException {
    stopped = true;
    LockSupport.unpark(thread);
    long graceMillis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + 1000;
    thread.join(graceMillis);
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(1000);
    }
    synchronized (scrapes) {
      long sentNanos = inFlightSentNanos;
      if (thread.isAlive() && !abandoned) {
        abandoned = true;
        if (sentNanos != -1) {
          scrapes.add(
              ServerScrape.failed(
                  clock.since(sentNanos), System.nanoTime() - sentNanos, STOPPED_UNANSWERED));
        }
      }
    }
    // Not close(), which waits for every exchange to end: this aborts what is left.
    client.shutdownNow();
  }

  /**
   * Gathers a body up to {@link #MAX_EXPOSITION_BYTES}, failing the exchange with a {@link
   * ScrapeFailure} past it, so that an endless answer neither fills the heap nor runs on.
   */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + (long) buffer.remaining() > MAX_EXPOSITION_BYTES) {
          subscription.cancel();
          body.completeExceptionally(
              new ScrapeFailure(
                  "the answer is larger than " + (MAX_EXPOSITION_BYTES >> 20) + " MiB"));
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable failure) {
      body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }
  }

  /** A scrape that brought no exposition, and why. */
  private static final class ScrapeFailure extends Exception {
    ScrapeFailure(String message) {
      super(message, null, false, false);
    }
  }
}
