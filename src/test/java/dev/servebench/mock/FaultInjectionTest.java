package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every {@link Fault}, seen from a plain client, and the counters that add them up. */
class FaultInjectionTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM_BODY =
      """
      {"messages":[{"role":"user","content":"x"}],"max_tokens":5,"stream":true,
       "stream_options":{"include_usage":true}}\
      """;
  private static final String WHOLE_BODY =
      """
      {"messages":[{"role":"user","content":"x"}],"max_tokens":5}\
      """;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MockServer server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  /** A server injecting {@code spec} (parsed as on the command line) into every request. */
  private void start(String spec) {
    start(spec, 0);
  }

  private void start(String spec, double itlMillis) {
    server =
        MockServer.start(
            MockServerConfig.builder()
                .tokenizer(R50K)
                .itlMillis(itlMillis)
                .fault(FaultSpec.parse(spec))
                .build());
  }

  @Test
  void closeBeforeHeadersSendsNothing() throws Exception {
    start("CLOSE_BEFORE_HEADERS@1");

    assertThat(rawExchange(STREAM_BODY)).isEmpty();
    assertThat(server.faultsInjected()).containsExactly(Map.entry(Fault.CLOSE_BEFORE_HEADERS, 1L));
  }

  @Test
  void resetAfterTokensSendsThoseTokensThenAReset() throws Exception {
    start("RESET_AFTER_TOKENS:3@1", 100);
    try (Socket socket = socket()) {
      InputStream in = socket.getInputStream();
      String seen = MockHttp.readUntil(in, "\r\n\r\n");
      for (int i = 0; i < 4; i++) {
        // The role-only event, then three tokens; each event ends with a blank line.
        seen += MockHttp.readUntil(in, "\n\n");
      }

      assertThat(seen).startsWith("HTTP/1.1 200 OK").contains("\"finish_reason\":null");
      assertThatThrownBy(() -> in.readAllBytes())
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
    }
    assertThat(server.requestsServed()).isZero();
  }

  @Test
  void http429CarriesRetryAfterOnlyWhenGiven() throws Exception {
    start("HTTP_429:7@1");
    HttpResponse<String> withRetryAfter = post(STREAM_BODY);
    server.close();
    start("HTTP_429@1");
    HttpResponse<String> without = post(STREAM_BODY);

    assertThat(withRetryAfter.statusCode()).isEqualTo(429);
    assertThat(withRetryAfter.headers().firstValue("retry-after")).hasValue("7");
    assertThat(without.statusCode()).isEqualTo(429);
    assertThat(without.headers().firstValue("retry-after")).isEmpty();
    assertThat(JSON.readTree(without.body()).at("/error/type").asText())
        .isEqualTo("rate_limit_error");
  }

  @Test
  void http500HasAJsonErrorAnd503AnHtmlBody() throws Exception {
    start("HTTP_500@1");
    HttpResponse<String> internalError = post(WHOLE_BODY);
    server.close();
    start("HTTP_503_HTML@1");
    HttpResponse<String> unavailable = post(STREAM_BODY);

    assertThat(internalError.statusCode()).isEqualTo(500);
    assertThat(JSON.readTree(internalError.body()).at("/error/message").asText()).isNotEmpty();
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(unavailable.headers().firstValue("content-type")).hasValue("text/html");
    assertThat(unavailable.body()).contains("<html>");
  }

  @Test
  void sseErrorEventFollowsTheGivenTokensWithStatus200() throws Exception {
    start("SSE_ERROR_EVENT:2@1");

    HttpResponse<String> response = post(STREAM_BODY);
    List<String> payloads = MockHttp.ssePayloads(response.body());

    assertThat(response.statusCode()).isEqualTo(200);
    // Role-only event, two tokens, the error, [DONE].
    assertThat(payloads).hasSize(5).last().isEqualTo("[DONE]");
    assertThat(JSON.readTree(payloads.get(3)).at("/error/message").asText()).contains("2 tokens");
  }

  @Test
  void endWithoutDoneKeepsEverythingButTheEndMarker() throws Exception {
    start("END_WITHOUT_DONE@1");

    List<String> payloads = MockHttp.ssePayloads(post(STREAM_BODY).body());

    assertThat(payloads).hasSize(1 + 5 + 1).doesNotContain("[DONE]");
    assertThat(JSON.readTree(payloads.getLast()).at("/usage/completion_tokens").asInt())
        .isEqualTo(5);
  }

  @Test
  void dropLastEventEndsBeforeTheLastTokenUsageAndDone() throws Exception {
    start("DROP_LAST_EVENT@1");

    List<String> payloads = MockHttp.ssePayloads(post(STREAM_BODY).body());

    assertThat(payloads).hasSize(1 + 4).noneMatch(p -> p.contains("usage") || p.equals("[DONE]"));
  }

  @Test
  void malformedJsonBreaksOneEventOrTheWholeBody() throws Exception {
    start("MALFORMED_JSON:1@1");

    List<String> payloads = MockHttp.ssePayloads(post(STREAM_BODY).body());
    String wholeBody = post(WHOLE_BODY).body();

    assertThat(payloads).hasSize(1 + 1 + 1 + 4 + 1 + 1).last().isEqualTo("[DONE]");
    assertThatThrownBy(() -> JSON.readTree(payloads.get(2))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> JSON.readTree(wholeBody)).isInstanceOf(IOException.class);
  }

  @Test
  void invalidUtf8SendsACutSequenceAndAnInvalidByte() throws Exception {
    start("INVALID_UTF8:1@1");

    HttpRequest request = request(STREAM_BODY);
    byte[] body = client.send(request, BodyHandlers.ofByteArray()).body();

    assertThat(indexOf(body, new byte[] {'"', (byte) 0xE2, (byte) 0x82, (byte) 0xFF, '"'}))
        .isPositive();
    assertThat(new String(body, StandardCharsets.ISO_8859_1)).endsWith("data: [DONE]\n\n");
  }

  @Test
  void endlessStreamGoesOnUntilTheClientLeaves() throws Exception {
    start("ENDLESS_STREAM@every:1");
    try (Socket socket = socket()) {
      MockHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
      for (int i = 0; i < 1_000; i++) {
        assertThat(MockHttp.readUntil(socket.getInputStream(), "\n\n")).doesNotContain("[DONE]");
      }
    }
    assertThat(server.requestsServed()).isZero();
  }

  @Test
  void neverAnswerLeavesTheRequestHanging() throws Exception {
    start("NEVER_ANSWER@1");
    try (Socket socket = socket()) {
      socket.setSoTimeout(300);

      assertThatThrownBy(() -> socket.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void hugeResponseIsOneEventOfTheGivenSize() throws Exception {
    start("HUGE_RESPONSE:2@1");

    HttpResponse<InputStream> response =
        client.send(request(STREAM_BODY), BodyHandlers.ofInputStream());
    long bytes = 0;
    byte[] last = new byte[0];
    try (InputStream in = response.body()) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        bytes += n;
        last = Arrays.copyOf(buffer, n);
      }
    }

    assertThat(bytes).isGreaterThan(2L << 20);
    assertThat(new String(last, StandardCharsets.US_ASCII)).endsWith("data: [DONE]\n\n");
  }

  @Test
  void closeIdleKeepAliveClosesAfterAWholeAnswer() throws Exception {
    start("CLOSE_IDLE_KEEPALIVE:20@1");
    try (Socket socket = connect()) {
      send(socket, "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}", "");
      String response = MockHttp.readUntil(socket.getInputStream(), "}}");

      assertThat(response).startsWith("HTTP/1.1 200 OK").doesNotContain("close");
      assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    }
    assertThat(server.requestsServed()).isEqualTo(1);
  }

  @Test
  void faultsOnlyHitTheirRequestsAndTheTotalsAddUp() throws Exception {
    server =
        MockServer.start(
            MockServerConfig.builder()
                .tokenizer(R50K)
                .seed(3)
                .fault(FaultSpec.parse("HTTP_429@every:10"))
                .fault(FaultSpec.parse("http-500@20%"))
                // Never chosen: a stream-only fault and non-streamed requests.
                .fault(FaultSpec.parse("DROP_LAST_EVENT@1"))
                .build());
    int requests = 200;

    Map<Integer, Integer> statuses = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> response = post(WHOLE_BODY);
      statuses.merge(response.statusCode(), 1, Integer::sum);
      if (response.statusCode() == 200) {
        assertThat(JSON.readTree(response.body()).at("/usage/completion_tokens").asInt())
            .isEqualTo(5);
      }
    }

    Map<Fault, Long> faults = server.faultsInjected();
    assertThat(faults).containsOnlyKeys(Fault.HTTP_429, Fault.HTTP_500);
    assertThat(faults.get(Fault.HTTP_429)).isEqualTo(requests / 10);
    assertThat(faults.get(Fault.HTTP_500)).isEqualTo((long) statuses.get(500)).isBetween(10L, 60L);
    assertThat((long) statuses.get(429)).isEqualTo(faults.get(Fault.HTTP_429));
    assertThat(server.requestsServed() + faults.get(Fault.HTTP_429) + faults.get(Fault.HTTP_500))
        .isEqualTo(requests)
        .isEqualTo((long) statuses.get(200) + statuses.get(429) + statuses.get(500));
  }

  /** Sends {@code json} to the chat route on a fresh socket with {@code Connection: close}. */
  private byte[] rawExchange(String json) throws IOException {
    try (Socket socket = connect()) {
      send(socket, "/v1/chat/completions", json, "Connection: close\r\n");
      return socket.getInputStream().readAllBytes();
    }
  }

  /** A fresh connection that has sent a streamed chat request. */
  private Socket socket() throws IOException {
    Socket socket = connect();
    send(socket, "/v1/chat/completions", STREAM_BODY, "");
    return socket;
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void send(Socket socket, String path, String json, String extraHeaders)
      throws IOException {
    socket
        .getOutputStream()
        .write(MockHttp.rawPost(path, json, extraHeaders).getBytes(StandardCharsets.UTF_8));
  }

  private HttpRequest request(String json) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private HttpResponse<String> post(String json) throws IOException, InterruptedException {
    return client.send(request(json), BodyHandlers.ofString());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
