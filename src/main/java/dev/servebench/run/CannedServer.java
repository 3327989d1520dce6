package dev.servebench.run;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback HTTP/1.1 server that answers every request at once with a fixed response in the
 * request's own protocol (OpenAI chat, completions or embeddings, LLM-on-Ray's simple endpoint,
 * TGI, SGLang or Triton; streamed or not, by the route or the body's {@code "stream":true}), on
 * kept-alive connections, a thread each. The rehearsal's counterpart: only the client's code should
 * run for the first time during it, and a server of a few JDK classes starts far sooner than the
 * mock server (bench/README.md, Cold start).
 */
final class CannedServer implements Closeable {

  /** The words of every answer: one chunk each, and as many tokens as words in the usage. */
  static final String[] WORDS = {
    " The", " sea", " is", " calm", " today", ",", " and", " the", " tide", " is", " low", "."
  };

  private static final int PROMPT_TOKENS = 8;
  private static final int MAX_HEAD_BYTES = 64 * 1024;

  private final ServerSocket listener;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final List<List<byte[]>> answers = answers();

  private CannedServer(ServerSocket listener) {
    this.listener = listener;
  }

  static CannedServer start() throws IOException {
    CannedServer server =
        new CannedServer(new ServerSocket(0, 256, InetAddress.getLoopbackAddress()));
    Thread.ofPlatform().daemon().name("servebench-rehearsal-server").start(server::accept);
    return server;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket socket = listener.accept();
        socket.setTcpNoDelay(true);
        connections.add(socket);
        Thread.ofPlatform()
            .daemon()
            .name("servebench-rehearsal-connection")
            .start(() -> serve(socket));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket;
        InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = new BufferedOutputStream(socket.getOutputStream())) {
      String head;
      while ((head = readHead(in)) != null) {
        String body = new String(in.readNBytes(contentLength(head)), StandardCharsets.UTF_8);
        String path =
            head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        answer(
            out,
            Protocol.of(path, body),
            path.endsWith("/generate_stream") || body.contains("\"stream\":true"));
      }
    } catch (IOException | RuntimeException gone) {
      // The client closed the connection, or the rehearsal ended.
    } finally {
      connections.remove(socket);
    }
  }

  /** The request's line and header fields, or {@code null} at the end of the connection. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(512);
    int matched = 0;
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toString(StandardCharsets.US_ASCII);
      }
      if (head.size() > MAX_HEAD_BYTES) {
        throw new IOException("request head too long");
      }
    }
    return null;
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        return Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    return 0;
  }

  /**
   * Writes the canned answer for {@code path}: its pieces were built once, at start, since a fresh
   * JVM builds each new kind of string slowly (string concatenation and formatting are set up on
   * first use); streamed pieces are flushed one by one, so the client reads them as separate chunks
   * where it can.
   */
  private void answer(OutputStream out, Protocol protocol, boolean stream) throws IOException {
    for (byte[] piece : answers.get(protocol.ordinal() * 2 + (stream ? 1 : 0))) {
      out.write(piece);
      if (stream) {
        out.flush();
      }
    }
    out.flush();
  }

  private enum Protocol {
    CHAT,
    COMPLETIONS,
    SIMPLE,
    TGI,
    SGLANG,
    TRITON,
    EMBEDDINGS;

    /** The protocol of a request: by its route, and TGI's and SGLang's common one by its body. */
    static Protocol of(String path, String body) {
      if (path.endsWith("/chat/completions")) {
        return CHAT;
      }
      if (path.endsWith("/completions")) {
        return COMPLETIONS;
      }
      if (path.endsWith("/embeddings")) {
        return EMBEDDINGS;
      }
      if (path.contains("/v2/models/")) {
        return TRITON;
      }
      if (path.endsWith("/generate_stream")) {
        return TGI;
      }
      if (path.endsWith("/generate")) {
        return body.contains("\"inputs\"") ? TGI : SGLANG;
      }
      return SIMPLE;
    }
  }

  /** Every protocol's answer, not streamed then streamed, as the pieces to write. */
  private static List<List<byte[]>> answers() {
    List<List<byte[]>> answers = new ArrayList<>();
    for (Protocol protocol : Protocol.values()) {
      answers.add(whole(protocol));
      answers.add(streamed(protocol));
    }
    return answers;
  }

  private static List<byte[]> whole(Protocol protocol) {
    StringBuilder text = new StringBuilder();
    for (String word : WORDS) {
      text.append(word);
    }
    StringBuilder json = new StringBuilder();
    if (protocol == Protocol.SIMPLE) {
      json.append("{\"text\":\"").append(text).append("\",\"input_length\":").append(PROMPT_TOKENS);
      json.append(",\"generate_length\":").append(WORDS.length).append('}');
    } else if (protocol == Protocol.TGI) {
      json.append("{\"generated_text\":\"").append(text).append("\",");
      appendTgiDetails(json).append('}');
    } else if (protocol == Protocol.SGLANG) {
      appendSglangEvent(json, text, WORDS.length);
    } else if (protocol == Protocol.TRITON) {
      appendTritonEvent(json, text);
    } else if (protocol == Protocol.EMBEDDINGS) {
      json.append("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,");
      json.append("\"embedding\":[0.0123,-0.0456]}],\"usage\":{\"prompt_tokens\":");
      json.append(PROMPT_TOKENS).append(",\"total_tokens\":").append(PROMPT_TOKENS).append("}}");
    } else {
      boolean chat = protocol == Protocol.CHAT;
      json.append("{\"id\":\"rehearsal\",\"object\":\"");
      json.append(chat ? "chat.completion" : "text_completion")
          .append("\",\"choices\":[{\"index\":0,");
      if (chat) {
        json.append("\"message\":{\"role\":\"assistant\",\"content\":\"")
            .append(text)
            .append("\"}");
      } else {
        json.append("\"text\":\"").append(text).append('"');
      }
      json.append(",\"finish_reason\":\"length\"}],");
      appendUsage(json).append('}');
    }
    byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
    head.append("content-length: ").append(body.length).append("\r\n\r\n");
    return List.of(ascii(head), body);
  }

  private static List<byte[]> streamed(Protocol protocol) {
    if (protocol == Protocol.EMBEDDINGS) {
      return whole(protocol); // never streamed
    }
    boolean chat = protocol == Protocol.CHAT;
    List<byte[]> pieces = new ArrayList<>();
    StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\ncontent-type: ");
    head.append(protocol == Protocol.SIMPLE ? "text/plain; charset=utf-8" : "text/event-stream");
    head.append("\r\ntransfer-encoding: chunked\r\n\r\n");
    pieces.add(ascii(head));
    if (chat) {
      pieces.add(
          chunk(
              event(
                  new StringBuilder(
                      "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}"))));
    }
    StringBuilder textSoFar = new StringBuilder();
    for (int i = 0; i < WORDS.length; i++) {
      textSoFar.append(WORDS[i]);
      boolean last = i == WORDS.length - 1;
      switch (protocol) {
        case SIMPLE -> pieces.add(chunk(new StringBuilder(WORDS[i])));
        case TGI -> {
          StringBuilder event = new StringBuilder("data:{\"index\":").append(i + 1);
          event.append(",\"token\":{\"id\":").append(i + 1).append(",\"text\":\"").append(WORDS[i]);
          event.append("\",\"logprob\":-0.5,\"special\":false},\"generated_text\":");
          if (last) {
            appendTgiDetails(event.append('"').append(textSoFar).append("\","));
          } else {
            event.append("null,\"details\":null");
          }
          pieces.add(chunk(event.append("}\n\n")));
        }
        case SGLANG ->
            pieces.add(
                chunk(
                    appendSglangEvent(new StringBuilder("data: "), textSoFar, i + 1)
                        .append("\n\n")));
        case TRITON ->
            pieces.add(
                chunk(appendTritonEvent(new StringBuilder("data: "), WORDS[i]).append("\n\n")));
        case CHAT, COMPLETIONS -> {
          StringBuilder choice = new StringBuilder("{\"index\":0,");
          choice.append(chat ? "\"delta\":{\"content\":\"" : "\"text\":\"").append(WORDS[i]);
          choice.append(chat ? "\"}" : "\"").append(",\"finish_reason\":");
          choice.append(last ? "\"length\"" : "null").append('}');
          pieces.add(chunk(event(choice)));
        }
        case EMBEDDINGS -> {}
      }
    }
    if (protocol == Protocol.CHAT || protocol == Protocol.COMPLETIONS) {
      StringBuilder tail = new StringBuilder("data: {\"id\":\"rehearsal\",\"choices\":[],");
      appendUsage(tail).append("}\n\ndata: [DONE]\n\n");
      pieces.add(chunk(tail));
    } else if (protocol == Protocol.SGLANG) {
      pieces.add(chunk(new StringBuilder("data: [DONE]\n\n")));
    }
    pieces.add(ascii(new StringBuilder("0\r\n\r\n")));
    return pieces;
  }

  private static StringBuilder event(StringBuilder choice) {
    return new StringBuilder("data: {\"id\":\"rehearsal\",\"choices\":[")
        .append(choice)
        .append("]}\n\n");
  }

  private static StringBuilder appendTgiDetails(StringBuilder json) {
    json.append("\"details\":{\"finish_reason\":\"length\",\"generated_tokens\":");
    return json.append(WORDS.length).append(",\"input_length\":").append(PROMPT_TOKENS).append('}');
  }

  private static StringBuilder appendSglangEvent(
      StringBuilder json, CharSequence textSoFar, int completionTokens) {
    json.append("{\"text\":\"").append(textSoFar).append("\",\"meta_info\":{\"prompt_tokens\":");
    json.append(PROMPT_TOKENS).append(",\"completion_tokens\":").append(completionTokens);
    return json.append("}}");
  }

  private static StringBuilder appendTritonEvent(StringBuilder json, CharSequence text) {
    json.append("{\"model_name\":\"rehearsal\",\"model_version\":\"1\",\"text_output\":\"");
    return json.append(text).append("\"}");
  }

  private static StringBuilder appendUsage(StringBuilder json) {
    json.append("\"usage\":{\"prompt_tokens\":").append(PROMPT_TOKENS);
    json.append(",\"completion_tokens\":").append(WORDS.length);
    return json.append(",\"total_tokens\":").append(PROMPT_TOKENS + WORDS.length).append('}');
  }

  /** One HTTP chunk (the words hold no quote, backslash or control character to escape). */
  private static byte[] chunk(StringBuilder data) {
    byte[] bytes = data.toString().getBytes(StandardCharsets.UTF_8);
    byte[] size = ascii(new StringBuilder(Integer.toHexString(bytes.length)).append("\r\n"));
    byte[] framed = Arrays.copyOf(size, size.length + bytes.length + 2);
    System.arraycopy(bytes, 0, framed, size.length, bytes.length);
    framed[framed.length - 2] = '\r';
    framed[framed.length - 1] = '\n';
    return framed;
  }

  private static byte[] ascii(StringBuilder text) {
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : connections) {
      socket.close();
    }
  }
}
