package dev.servebench.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A tiny HTTP server on an ephemeral port that serves one exposition at {@code /metrics}, which a
 * test may change or replace by an HTTP error at any time, and counts the scrapes it answered.
 */
public final class MetricsPage implements AutoCloseable {

  private final HttpServer server;
  private final AtomicReference<String> page = new AtomicReference<>("");
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger scrapes = new AtomicInteger();
  private volatile boolean stalling;
  private final AtomicInteger stalled = new AtomicInteger();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(task -> Thread.ofPlatform().daemon().unstarted(task));
  private final CountDownLatch closed = new CountDownLatch(1);

  private MetricsPage(HttpServer server) {
    this.server = server;
  }

  public static MetricsPage start(String exposition) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    MetricsPage metrics = new MetricsPage(server);
    metrics.page.set(exposition);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = metrics.page.get().getBytes(StandardCharsets.UTF_8);
          int code = metrics.status.get();
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
          if (metrics.stalling) {
            // Headers sent, the body promised and never written, until the page closes.
            exchange.getResponseBody().flush();
            metrics.stalled.incrementAndGet();
            try {
              metrics.closed.await();
            } catch (InterruptedException stop) {
              Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
          }
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
          metrics.scrapes.incrementAndGet();
        });
    // A thread per exchange: a stalled one holds no other back.
    server.setExecutor(metrics.executor);
    server.start();
    return metrics;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
  }

  /** Serves {@code exposition} from now on. */
  public void serve(String exposition) {
    page.set(exposition);
  }

  /** Answers with {@code code} from now on (200 serves the page again). */
  public void answer(int code) {
    status.set(code);
  }

  /**
   * From now on, sends the headers of each answer (with a length; a page that is not empty) and the
   * page is closed.
   */
  public void stallAfterHeaders() {
    stalling = true;
  }

  /** Answers stalled after their headers so far. */
  public int stalled() {
    return stalled.get();
  }

  /** Scrapes answered so far. */
  public int scrapes() {
    return scrapes.get();
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
