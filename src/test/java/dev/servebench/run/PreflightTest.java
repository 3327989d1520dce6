package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.servebench.config.HttpTarget;
import dev.servebench.config.RequestHeaders;
import dev.servebench.config.TlsOptions;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.endpoint.ExtraBody;
import dev.servebench.engine.RunControl;
import dev.servebench.error.UnreachableEndpointException;
import dev.servebench.testing.Await;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/** {@code --wait-for-server}: which answers mean "not ready yet", and how a wait ends. */
class PreflightTest {

  private static final byte[] MODELS =
      "{\"data\":[{\"id\":\"m\"}]}".getBytes(StandardCharsets.UTF_8);

  /** The X-Tenant field of every request the test servers received. */
  private final Queue<String> tenants = new ConcurrentLinkedQueue<>();

  /** A server answering its n-th request (from 0) with {@code status.applyAsInt(n)}. */
  private HttpServer server(IntUnaryOperator status, AtomicInteger requests) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          tenants.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Tenant")));
          int code = status.applyAsInt(requests.getAndIncrement());
          exchange.sendResponseHeaders(code, MODELS.length);
          exchange.getResponseBody().write(MODELS);
          exchange.close();
        });
    server.start();
    return server;
  }

  private static RunConfig.Endpoint endpoint(int port, double waitSeconds) {
    return new RunConfig.Endpoint(
        HttpTarget.parse("http://127.0.0.1:" + port),
        EndpointType.OPENAI_CHAT,
        null,
        null,
        null,
        TlsOptions.VERIFY,
        true,
        RequestHeaders.parse(List.of("X-Tenant=acme")),
        ExtraBody.NONE,
        null,
        Duration.ofMillis((long) (waitSeconds * 1000)));
  }

  @Test
  void aGatewayAnswering503IsWaitedForUntilTheModelIsListed() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = server(n -> n < 2 ? 503 : 200, requests);
    try {
      StringWriter log = new StringWriter();
      Preflight.awaitReady(
          endpoint(server.getAddress().getPort(), 60), new RunControl(), new PrintWriter(log));
      assertThat(requests.get()).isEqualTo(3);
      assertThat(tenants).containsExactly("acme", "acme", "acme");
      assertThat(log.toString())
          .containsOnlyOnce("/v1/models is not ready (it answers HTTP 503); waiting up to 60 s")
          .contains("/v1/models answered after");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aRefusalMeansTheServerIsUpAndEndsTheWaitSilently() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = server(n -> 401, requests);
    try {
      StringWriter log = new StringWriter();
      Preflight.awaitReady(
          endpoint(server.getAddress().getPort(), 60), new RunControl(), new PrintWriter(log));
      assertThat(requests.get()).isEqualTo(1);
      assertThat(log.toString()).isEmpty();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aServerStillAnswering503WhenTheWaitEndsIsNamedWithItsAnswer() throws Exception {
    HttpServer server = server(n -> 503, new AtomicInteger());
    try {
      int port = server.getAddress().getPort();
      assertThatThrownBy(
              () ->
                  Preflight.awaitReady(
                      endpoint(port, 0.5), new RunControl(), new PrintWriter(new StringWriter())))
          .isInstanceOf(UnreachableEndpointException.class)
          .hasMessageContaining("http://127.0.0.1:" + port + "/v1/models still answers HTTP 503")
          .hasMessageContaining("after waiting 0.5 s (--wait-for-server)")
          .hasMessageContaining("still loading the model");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aStopWhileWaitingEndsTheWaitAtOnce() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    RunControl control = new RunControl();
    StringWriter log = new StringWriter();
    RunConfig.Endpoint endpoint = endpoint(port, 600);
    CompletableFuture<Void> waiting =
        CompletableFuture.runAsync(
            () -> {
              try {
                Preflight.awaitReady(endpoint, control, new PrintWriter(log, true));
              } catch (InterruptedException stopped) {
                throw new IllegalStateException(stopped.getMessage());
              }
            });
    Await.awaitUntil("the wait to start", () -> log.toString().contains("--wait-for-server"));
    control.requestStop();
    assertThatThrownBy(() -> waiting.get(Await.GENEROUS.toSeconds(), TimeUnit.SECONDS))
        .hasMessageContaining("stopped while waiting for http://127.0.0.1:" + port + "/v1/models")
        .hasMessageContaining("nothing was sent");
  }
}
