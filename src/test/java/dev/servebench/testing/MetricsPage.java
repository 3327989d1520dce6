package dev.servebench.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
          metrics.scrapes.incrementAndGet();
        });
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

  /** Scrapes answered so far. */
  public int scrapes() {
    return scrapes.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
