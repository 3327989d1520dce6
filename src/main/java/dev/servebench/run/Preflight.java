package dev.servebench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.config.HttpTarget;
import dev.servebench.config.TlsOptions;
import dev.servebench.error.InvalidInputException;
import dev.servebench.error.UnreachableEndpointException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

  /** The first model an OpenAI-compatible server lists at {@code /v1/models}. */
  static String discoverModel(HttpTarget target, String authorizationHeader, TlsOptions tls) {
    String base = target.url().replaceAll("/+$", "");
    URI uri = URI.create((base.endsWith("/v1") ? base : base + "/v1") + "/models");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (authorizationHeader != null) {
      request.header("Authorization", authorizationHeader);
    }
    String hint = "pass --model-name to name the model to benchmark";
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
    if (target.https()) {
      builder.sslContext(TlsContexts.jdk(tls));
      if (tls.insecure()) {
        // The JDK client checks host names apart from trust; --insecure means neither.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
      }
    }
    try (HttpClient client = builder.build()) {
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
