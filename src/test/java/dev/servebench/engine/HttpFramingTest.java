package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Responses framed in ways the mock server never frames them, read by the whole client: a server
 * that writes raw bytes answers every request with the same response.
 */
class HttpFramingTest {

  private static final String EVENTS =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n"
          + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"}}]}\n\n"
          + "data: [DONE]\n\n";

  @TempDir Path results;

  /** Answers each request on a connection with {@code response}; closes after it if told to. */
  private static final class RawServer implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<String> received = Collections.synchronizedList(new ArrayList<>());

    RawServer(String response, boolean closeAfterEach) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket connection = socket.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(connection, response, closeAfterEach));
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve(Socket connection, String response, boolean closeAfterEach) {
      try (connection) {
        InputStream in = connection.getInputStream();
        OutputStream out = connection.getOutputStream();
        String request;
        while ((request = readRequest(in)) != null) {
          received.add(request);
          requests.incrementAndGet();
          out.write(response.getBytes(StandardCharsets.UTF_8));
          out.flush();
          if (closeAfterEach) {
            return;
          }
        }
      } catch (IOException gone) {
        // The client closed the connection.
      }
    }

    /** Reads one request, head and body as sent; {@code null} at the end of the stream. */
    private static String readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return null;
        }
        head.write(b);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      String lower = text.toLowerCase(Locale.ROOT);
      int at = lower.indexOf("content-length:");
      int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).strip());
      byte[] body = in.readNBytes(length);
      return body.length == length ? text + new String(body, StandardCharsets.UTF_8) : null;
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private List<RequestRecord> run(RawServer server, int requests, String... extra)
      throws IOException {
    // No probe of /metrics: the tests count the connections the run itself opens.
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--num-prompts",
                Integer.toString(requests),
                "--timeout",
                "10",
                "--no-server-metrics"));
    flags.addAll(List.of(extra));
    Cli.Result result = Cli.runSynthetic(server.url(), results, flags.toArray(String[]::new));
    List<RequestRecord> records = new ArrayList<>();
    RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), records::add);
    assertThat(records).as(result.err()).hasSize(requests);
    return records;
  }

  @Test
  void streamEndedByTheConnectionsCloseIsComplete() throws IOException {
    String response = "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n" + EVENTS;
    try (RawServer server = new RawServer(response, true)) {
      List<RequestRecord> records = run(server, 3);
      assertThat(records)
          .allSatisfy(
              r -> {
                assertThat(r.succeeded()).as(r.outcome().error()).isTrue();
                assertThat(r.chunks().nanos()).hasSize(2);
                assertThat(r.outcome().httpStatus()).isEqualTo(200);
              });
      // One connection per request, and the reachability check's before them.
      assertThat(server.connections.get()).isEqualTo(3 + 1);
    }
  }

  @Test
  void chunkedStreamAfterAnInterimResponseKeepsTheConnection() throws IOException {
    StringBuilder response =
        new StringBuilder(
            "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
    for (String event : EVENTS.split("(?<=\n\n)")) {
      response.append(Integer.toHexString(event.length())).append(";x=1\r\n");
      response.append(event).append("\r\n");
    }
    response.append("0\r\nX-Trailer: done\r\n\r\n");
    try (RawServer server = new RawServer(response.toString(), false)) {
      List<RequestRecord> records = run(server, 4, "--max-concurrency", "1");
      assertThat(records)
          .allSatisfy(r -> assertThat(r.succeeded()).as(r.outcome().error()).isTrue());
      assertThat(records).allSatisfy(r -> assertThat(r.chunks().nanos()).hasSize(2));
      // One request at a time: the kept-alive connection carries all of them (the other
      // connection is the reachability check's).
      assertThat(server.connections.get()).isEqualTo(1 + 1);
    }
  }

  @Test
  void aStreamWrittenAtOnceIsReadWholeThoughItsReadsAreLongerThanTheCopyBuffer()
      throws IOException {
    // About 100 KB written in one go: reads far longer than the handler copies at once (8 KB),
    // so chunk-size lines, chunks and events are cut at every place a copy can end.
    int events = 1500;
    StringBuilder response =
        new StringBuilder(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < events; i++) {
      String token = " t" + i;
      text.append(token);
      String event =
          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + token + "\"}}]}\n\n";
      response.append(Integer.toHexString(event.length())).append("\r\n");
      response.append(event).append("\r\n");
    }
    String done = "data: [DONE]\n\n";
    response.append(Integer.toHexString(done.length())).append("\r\n").append(done).append("\r\n");
    response.append("0\r\n\r\n");
    assertThat(response.length()).isGreaterThan(10 * ClientHandler.MAX_SCRATCH_BYTES);
    try (RawServer server = new RawServer(response.toString(), false)) {
      List<RequestRecord> records =
          run(server, 2, "--max-concurrency", "1", "--track-input-output");
      assertThat(records)
          .allSatisfy(
              r -> {
                assertThat(r.succeeded()).as(r.outcome().error()).isTrue();
                assertThat(r.chunks().nanos()).hasSize(events);
                assertThat(r.texts().output()).isEqualTo(text.toString());
              });
    }
  }

  @Test
  void requestsCarryTheRunsHeadTheirOwnIdAndTheirExactBodyLength() throws IOException {
    String response =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: "
            + EVENTS.length()
            + "\r\n\r\n"
            + EVENTS;
    try (RawServer server = new RawServer(response, false)) {
      run(server, 2, "--max-concurrency", "1", "--api-key", "sk-test-1234");
      assertThat(server.received).hasSize(2);
      for (int index = 0; index < 2; index++) {
        String request = server.received.get(index);
        String head = request.substring(0, request.indexOf("\r\n\r\n") + 4);
        String body = request.substring(head.length());
        assertThat(head)
            .startsWith("POST /v1/chat/completions HTTP/1.1\r\n")
            .containsIgnoringCase("\r\nhost: 127.0.0.1:" + server.socket.getLocalPort() + "\r\n")
            .containsIgnoringCase("\r\ncontent-type: application/json\r\n")
            .containsIgnoringCase("\r\naccept: text/event-stream, text/plain, application/json\r\n")
            .containsIgnoringCase("\r\nuser-agent: servebench/")
            .containsIgnoringCase("\r\nauthorization: Bearer sk-test-1234\r\n")
            .containsIgnoringCase("\r\nx-servebench-request-id: " + index + "\r\n")
            .containsIgnoringCase(
                "\r\ncontent-length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n");
        assertThat(body).startsWith("{").endsWith("}").contains("\"model\":\"gpt2\"");
      }
    }
  }

  @Test
  void somethingElseThanHttpIsAParseFailureNamingWhatCame() throws IOException {
    try (RawServer server = new RawServer("SSH-2.0-OpenSSH_9.6\r\n", true)) {
      List<RequestRecord> records = run(server, 2);
      assertThat(records)
          .allSatisfy(
              r -> {
                assertThat(r.outcome().failureReason().label()).isEqualTo("parse");
                assertThat(r.outcome().error())
                    .isEqualTo(
                        "malformed HTTP response: not an HTTP/1.x status line:"
                            + " 'SSH-2.0-OpenSSH_9.6'");
              });
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      assertThat(summary.path("requests").path("failed").asInt()).isEqualTo(2);
    }
  }
}
