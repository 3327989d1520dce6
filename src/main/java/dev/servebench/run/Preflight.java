package dev.servebench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.config.HttpTarget;
import dev.servebench.config.RequestHeaders;
import dev.servebench.config.TlsOptions;
import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.engine.RunControl;
import dev.servebench.error.InvalidInputException;
import dev.servebench.error.UnreachableEndpointException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Checks made before the first request, so a run that cannot work stops with a clear message and
 * nothing sent: can the endpoint be reached at all, and which model does it serve when none is
 * named.
 */
final class Preflight {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** How often {@code --wait-for-server} asks again: a server that comes up is seen soon after. */
  private static final long READY_POLL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** How often a wait looks at the stop flag (Ctrl-C). */
  private static final long STOP_CHECK_MILLIS = 50;

  /** The simple endpoint's readiness probe asks for one token after this. */
  private static final String PROBE_PROMPT = "Hello";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Preflight() {}

  /**
   * Opens and closes one connection to the endpoint; over https it completes a TLS handshake with
   * the run's trust settings too, so an untrusted certificate is found before the run, once,
   * instead of failing every request.
   */
  static void checkReachable(HttpTarget target, TlsOptions tls) {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(target.host(), target.port()), (int) CONNECT_TIMEOUT.toMillis());
      if (target.https()) {
        handshake(socket, target, tls);
      }
    } catch (SSLException untrusted) {
      throw new UnreachableEndpointException(tlsProblem(target, untrusted));
    } catch (IOException unreachable) {
      String reason =
          unreachable.getMessage() == null
              ? unreachable.getClass().getSimpleName()
              : unreachable.getMessage();
      throw new UnreachableEndpointException(
          "cannot connect to "
              + target.url()
              + " ("
              + reason
              + "): is the server running, and is --model-endpoint-base right?");
    }
  }

  private static void handshake(Socket socket, HttpTarget target, TlsOptions tls)
      throws IOException {
    SSLSocket ssl =
        (SSLSocket)
            TlsContexts.jdk(tls)
                .getSocketFactory()
                .createSocket(socket, target.host(), target.port(), false);
    SSLParameters parameters = ssl.getSSLParameters();
    if (!tls.insecure()) {
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    ssl.setSSLParameters(parameters);
    ssl.setSoTimeout((int) CONNECT_TIMEOUT.toMillis());
    ssl.startHandshake();
  }

  /** What went wrong in the handshake, in words that say what to do. */
  private static String tlsProblem(HttpTarget target, SSLException failure) {
    String causes = "";
    for (Throwable t = failure; t != null; t = t.getCause()) {
      causes += " " + t.getClass().getSimpleName() + " " + t.getMessage();
    }
    String fix =
        "pass its certificate (or its CA's) with --ca-cert FILE, or --insecure to accept any";
    if (causes.contains("CertPath") || causes.contains("certification path")) {
      return "the server at "
          + target.url()
          + " presents a certificate this machine does not trust (self-signed, or from a CA the"
          + " JDK's trust store and --ca-cert do not hold): "
          + fix;
    }
    if (causes.contains("subject alternative") || causes.contains("No name matching")) {
      return "the server at "
          + target.url()
          + " presents a certificate that is not for "
          + target.host()
          + ": use the host name the certificate names, or --insecure to accept any";
    }
    return "the TLS handshake with "
        + target.url()
        + " failed ("
        + failure.getMessage()
        + "): is it an https server? If its certificate is the problem, "
        + fix;
  }

  /**
   * Asks the server until it answers, for at most {@code endpoint.waitForServer()}, instead of
   * failing at once when nothing listens yet; says once on {@code log} that it waits, when the
   * first probe finds the server not ready. The probe is something the server answers only once it
   * can serve:
   *
   * <ul>
   *   <li>OpenAI-compatible servers: {@code GET /v1/models}, which generates nothing (vLLM, SGLang
   *       and TGI open their port once the model is loaded, and a gateway in front of them answers
   *       5xx until then).
   *   <li>The simple endpoint, which lists nothing: one request of its own kind asking for one
   *       token, not streamed.
   * </ul>
   *
   * <p>Not ready yet: no connection, no answer, or HTTP 404, 408, 429 or 5xx (what a gateway or a
   * server still loading answers). Any other answer means the server is up, a refusal (401, 400)
   * too: the run then reports it as it would have without waiting. A certificate the run does not
   * trust fails at once, as waiting would not change it.
   *
   * @throws UnreachableEndpointException when the server has not answered in time, saying how long
   *     it waited and what it last saw
   * @throws InterruptedException when the run is stopped (Ctrl-C) while waiting
   */
  static void awaitReady(RunConfig.Endpoint endpoint, RunControl control, PrintWriter log)
      throws InterruptedException {
    HttpTarget target = endpoint.target();
    long waitNanos = endpoint.waitForServer().toNanos();
    long startNanos = System.nanoTime();
    long deadlineNanos = startNanos + waitNanos;
    HttpRequest.Builder probe = probe(endpoint);
    URI uri = probe.copy().build().uri();
    boolean waitSaid = false;
    try (HttpClient client = client(target, endpoint.tls())) {
      while (true) {
        long probeStartNanos = System.nanoTime();
        Duration left = Duration.ofNanos(Math.max(deadlineNanos - probeStartNanos, 1_000_000));
        String notReady =
            probeOnce(client, probe.timeout(left).build(), target, uri, control, deadlineNanos);
        if (notReady == null) {
          if (waitSaid) {
            log.printf(
                Locale.ROOT,
                "servebench: %s answered after %.1f s%n",
                uri,
                (System.nanoTime() - startNanos) / 1e9);
            log.flush();
          }
          return;
        }
        if (!waitSaid) {
          log.println(
              "servebench: "
                  + uri
                  + " is not ready ("
                  + notReady
                  + "); waiting up to "
                  + seconds(waitNanos)
                  + " s for it (--wait-for-server)");
          log.flush();
          waitSaid = true;
        }
        long nextNanos = Math.min(probeStartNanos + READY_POLL_INTERVAL_NANOS, deadlineNanos);
        while (System.nanoTime() - nextNanos < 0) {
          stopIfAsked(control, uri);
          Thread.sleep(STOP_CHECK_MILLIS);
        }
        stopIfAsked(control, uri);
        if (System.nanoTime() - deadlineNanos >= 0) {
          throw gaveUp(target, uri, notReady, waitNanos);
        }
      }
    }
  }

  /**
   * One probe: {@code null} when the server is up, else what was seen instead. The answer is
   * awaited in slices, so that a stop and the deadline are seen while the probe is out.
   */
  private static String probeOnce(
      HttpClient client,
      HttpRequest request,
      HttpTarget target,
      URI uri,
      RunControl control,
      long deadlineNanos)
      throws InterruptedException {
    CompletableFuture<HttpResponse<Void>> answer =
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    try {
      while (true) {
        stopIfAsked(control, uri);
        try {
          int status = answer.get(STOP_CHECK_MILLIS, TimeUnit.MILLISECONDS).statusCode();
          return status >= 500 || status == 404 || status == 408 || status == 429
              ? "it answers HTTP " + status
              : null;
        } catch (TimeoutException notYet) {
          if (System.nanoTime() - deadlineNanos >= 0) {
            return "no answer yet";
          }
        }
      }
    } catch (ExecutionException failed) {
      for (Throwable c = failed.getCause(); c != null; c = c.getCause()) {
        if (c instanceof SSLException untrusted) {
          throw new UnreachableEndpointException(tlsProblem(target, untrusted));
        }
      }
      return describe(failed.getCause());
    } finally {
      answer.cancel(true);
    }
  }

  private static void stopIfAsked(RunControl control, URI uri) throws InterruptedException {
    if (control.stopRequested()) {
      throw new InterruptedException(
          "stopped while waiting for " + uri + " to answer (--wait-for-server); nothing was sent");
    }
  }

  private static UnreachableEndpointException gaveUp(
      HttpTarget target, URI uri, String notReady, long waitNanos) {
    String waited = "after waiting " + seconds(waitNanos) + " s (--wait-for-server)";
    if (notReady.startsWith("it answers HTTP")) {
      return new UnreachableEndpointException(
          uri
              + " still "
              + notReady.substring("it ".length())
              + " "
              + waited
              + ": is the server still loading the model? Wait longer, or see the server's log");
    }
    return new UnreachableEndpointException(
        "cannot connect to "
            + target.url()
            + " ("
            + notReady
            + ") "
            + waited
            + ": is the server running, and is --model-endpoint-base right?");
  }

  /** What a probe that failed without an answer met, in a few words. */
  private static String describe(Throwable failure) {
    if (failure instanceof HttpConnectTimeoutException) {
      return "connecting timed out";
    }
    if (failure instanceof ConnectException) {
      return failure.getMessage() == null ? "nothing listens" : failure.getMessage();
    }
    if (failure instanceof HttpTimeoutException) {
      return "no answer yet";
    }
    String message = failure == null ? null : failure.getMessage();
    return message == null
        ? failure == null ? "no answer" : failure.getClass().getSimpleName()
        : message;
  }

  /** {@code 30} or {@code 1.5}: seconds as a user wrote them. */
  private static String seconds(long nanos) {
    double seconds = nanos / 1e9;
    return seconds == Math.rint(seconds)
        ? Long.toString((long) seconds)
        : String.format(Locale.ROOT, "%.1f", seconds);
  }

  /** The readiness probe's request (see {@link #awaitReady}), with the run's headers. */
  private static HttpRequest.Builder probe(RunConfig.Endpoint endpoint) {
    if (endpoint.type().listsModels()) {
      return withHeaders(
              HttpRequest.newBuilder(modelsUri(endpoint.target())),
              endpoint.authorizationHeader(),
              endpoint.headers())
          .GET();
    }
    EndpointAdapter adapter = endpoint.type().adapter(endpoint.route());
    HttpTarget target = endpoint.target();
    String origin = (target.https() ? "https://" : "http://") + target.hostHeader();
    URI uri =
        URI.create(origin + adapter.requestPath(target.basePath(), endpoint.modelName(), false));
    byte[] body =
        adapter.requestBody(
            new Prompt(PROBE_PROMPT, 1, 1),
            new RequestOptions(
                endpoint.modelName(),
                false,
                null,
                null,
                null,
                null,
                false,
                false,
                endpoint.extraBody()));
    HttpRequest.Builder request =
        withHeaders(
            HttpRequest.newBuilder(uri), endpoint.authorizationHeader(), endpoint.headers());
    if (!endpoint.headers().has("Content-Type")) {
      request.header("Content-Type", "application/json");
    }
    return request.POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  /** Where an OpenAI-compatible server lists its models. */
  private static URI modelsUri(HttpTarget target) {
    String base = target.url().replaceAll("/+$", "");
    return URI.create((base.endsWith("/v1") ? base : base + "/v1") + "/models");
  }

  /**
   * The request with the run's {@code Authorization} and the user's header fields, but those the
   * JDK's client refuses to send (Date, From, Via, Warning), which a listing or probe does without.
   */
  private static HttpRequest.Builder withHeaders(
      HttpRequest.Builder request, String authorizationHeader, RequestHeaders headers) {
    if (authorizationHeader != null) {
      request.header("Authorization", authorizationHeader);
    }
    for (RequestHeaders.Field field : headers.fields()) {
      if (field.name().equalsIgnoreCase("Authorization")) {
        continue;
      }
      try {
        request.setHeader(field.name(), field.value());
      } catch (IllegalArgumentException restricted) {
        // Left out: the JDK client reserves this field.
      }
    }
    return request;
  }

  private static HttpClient client(HttpTarget target, TlsOptions tls) {
    return client(target.https(), tls);
  }

  /** A client for the server's metrics endpoint at {@code url}, trusting what the run trusts. */
  static HttpClient metricsClient(URI url, TlsOptions tls) {
    return client("https".equalsIgnoreCase(url.getScheme()), tls);
  }

  private static HttpClient client(boolean https, TlsOptions tls) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            // No h2c upgrade offer: a server that mishandles one would fail a check the run
            // itself, which speaks HTTP/1.1, passes.
            .version(HttpClient.Version.HTTP_1_1);
    if (https) {
      builder.sslContext(TlsContexts.jdk(tls));
      if (tls.insecure()) {
        // The JDK client checks host names apart from trust; --insecure means neither.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
      }
    }
    return builder.build();
  }

  /**
   * The first model an OpenAI-compatible server lists at {@code /v1/models}, asked with the run's
   * headers (a gateway may want its own key).
   */
  static String discoverModel(
      HttpTarget target, String authorizationHeader, RequestHeaders headers, TlsOptions tls) {
    URI uri = modelsUri(target);
    HttpRequest.Builder request =
        withHeaders(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)),
                authorizationHeader,
                headers)
            .GET();
    String hint = "pass --model-name to name the model to benchmark";
    try (HttpClient client = client(target, tls)) {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new InvalidInputException(
            "no --model-name given and "
                + uri
                + " answered HTTP "
                + response.statusCode()
                + ": "
                + hint);
      }
      JsonNode models = MAPPER.readTree(response.body()).path("data");
      if (!models.isArray() || models.isEmpty() || !models.get(0).path("id").isTextual()) {
        throw new InvalidInputException(
            "no --model-name given and " + uri + " lists no model: " + hint);
      }
      return models.get(0).path("id").asText();
    } catch (IOException broken) {
      throw new InvalidInputException(
          "no --model-name given and "
              + uri
              + " could not be read ("
              + broken.getMessage()
              + "): "
              + hint);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new InvalidInputException("interrupted while asking " + uri + " for its models");
    }
  }
}
