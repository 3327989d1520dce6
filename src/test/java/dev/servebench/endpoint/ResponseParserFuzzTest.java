package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.servebench.record.FailureReason;
import dev.servebench.testing.Fuzz;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No body may make a response parser throw or hang: whatever the bytes and however they are split
 * into reads, a parser reports events and at worst a failure with a reason. A valid body split
 * anywhere reports what it reports in one read.
 */
class ResponseParserFuzzTest {

  /** One protocol's parser and valid bodies to mutate. */
  private record Target(String name, Supplier<ResponseParser> parsers, List<byte[]> validBodies) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Target> targets() throws IOException {
    List<byte[]> sseBodies =
        List.of(
            fixture("vllm-chat-stream.txt"),
            fixture("completions-stream-usage-in-last.txt"),
            utf8(
                "event: message\r\ndata: {\"choices\":[{\"delta\":{\"reasoning_content\":\"hm\"}}]}"
                    + "\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"日本語 ok\"}}],"
                    + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\r\n\r\n"
                    + "data: [DONE]\r\n\r\n"),
            utf8("event: error\ndata: {\"error\":{\"message\":\"overloaded\"}}\n\n"));
    List<byte[]> openAiJson =
        List.of(
            utf8(
                "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Hi ✓\"}}],"
                    + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}"),
            utf8("{\"choices\":[{\"text\":\" The end\"}],\"usage\":null}"),
            utf8("{\"error\":{\"message\":\"bad\",\"code\":400}}"));
    List<byte[]> simpleJson =
        List.of(
            utf8("{\"text\":\"Hello ✓\",\"input_length\":3,\"generate_length\":2}"),
            utf8(
                "[{\"generated_text\":\"a\",\"num_input_tokens\":1,\"num_generated_tokens\":1},"
                    + "{\"generated_text\":\"b\",\"num_input_tokens\":2,\"num_generated_tokens\":3}]"),
            utf8("{\"error\":\"engine died\"}"));
    List<byte[]> plainText = List.of(utf8("Once upon a time ✓ 日本語 🙂 the end."));
    List<byte[]> tgiStream =
        List.of(
            utf8(
                "data:{\"index\":1,\"token\":{\"id\":9,\"text\":\"日本\",\"logprob\":-0.5,"
                    + "\"special\":false},\"generated_text\":null,\"details\":null}\n\n"
                    + "data:{\"index\":2,\"token\":{\"id\":2,\"text\":\"</s>\","
                    + "\"logprob\":0,\"special\":true},\"generated_text\":\"日本\","
                    + "\"details\":{\"generated_tokens\":2,\"input_length\":3}}\n\n"),
            utf8("data:{\"error\":\"Incomplete generation\",\"error_type\":\"incomplete\"}\n\n"));
    List<byte[]> sglangStream =
        List.of(
            utf8(
                "data: {\"text\":\"a\",\"meta_info\":{\"prompt_tokens\":3,"
                    + "\"completion_tokens\":1}}\n\ndata: {\"text\":\"a ✓\",\"meta_info\":"
                    + "{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n"));
    List<byte[]> tritonStream =
        List.of(
            utf8(
                "data: {\"model_name\":\"ensemble\",\"text_output\":\"Hi\"}\n\n"
                    + "data: {\"model_name\":\"ensemble\",\"text_output\":\" ✓\"}\n\n"));
    byte[] nativeError = utf8("{\"error\":\"Input validation error\"}");
    List<byte[]> tgiJson =
        List.of(
            utf8("{\"generated_text\":\"Hi ✓\",\"details\":{\"generated_tokens\":2}}"),
            nativeError);
    List<byte[]> sglangJson =
        List.of(
            utf8("{\"text\":\"Hi\",\"meta_info\":{\"prompt_tokens\":1,\"completion_tokens\":1}}"),
            nativeError);
    List<byte[]> tritonJson =
        List.of(
            utf8("{\"model_name\":\"m\",\"model_version\":\"1\",\"text_output\":\"Hi\"}"),
            nativeError);
    List<byte[]> embeddingsJson =
        List.of(
            utf8(
                "{\"data\":[{\"embedding\":[0.1,-2e-3,3]}],\"usage\":{\"prompt_tokens\":2,"
                    + "\"total_tokens\":2}}"));
    return Stream.of(
        target(
            "openai-chat stream", EndpointType.OPENAI_CHAT, true, "text/event-stream", sseBodies),
        target("openai-completions stream", EndpointType.OPENAI_COMPLETIONS, true, null, sseBodies),
        target("openai-chat JSON", EndpointType.OPENAI_CHAT, false, "application/json", openAiJson),
        target(
            "openai JSON to a stream request",
            EndpointType.OPENAI_COMPLETIONS,
            true,
            "application/json; charset=utf-8",
            openAiJson),
        target("simple JSON", EndpointType.SIMPLE, false, "application/json", simpleJson),
        target("simple plain-text stream", EndpointType.SIMPLE, true, "text/plain", plainText),
        target("tgi stream", EndpointType.TGI, true, "text/event-stream", tgiStream),
        target("sglang stream", EndpointType.SGLANG, true, "text/event-stream", sglangStream),
        target("triton stream", EndpointType.TRITON, true, "text/event-stream", tritonStream),
        target("tgi JSON", EndpointType.TGI, false, "application/json", tgiJson),
        target("sglang JSON", EndpointType.SGLANG, false, "application/json", sglangJson),
        target("triton JSON", EndpointType.TRITON, false, "application/json", tritonJson),
        target(
            "embeddings JSON",
            EndpointType.OPENAI_EMBEDDINGS,
            false,
            "application/json",
            embeddingsJson));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void noBodyMakesTheParserThrowOrHang(Target target) {
    int iterations = Fuzz.iterations(200);
    assertTimeoutPreemptively(Fuzz.timeLimit(iterations), () -> fuzz(target, iterations));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void aValidBodySplitAnywhereGivesTheSameEvents(Target target) {
    SplittableRandom random = new SplittableRandom(1);
    for (byte[] body : target.validBodies()) {
      List<String> whole = parse(target.parsers().get(), body, List.of(body.length), random);
      assertThat(whole).noneMatch(event -> event.startsWith("failure") && !isErrorBody(body));
      for (int split = 0; split < Fuzz.iterations(100); split++) {
        List<Integer> reads = Fuzz.readSizes(body.length, random);
        assertThat(joinPlainText(parse(target.parsers().get(), body, reads, random)))
            .as("%s read as %s", target, reads)
            .isEqualTo(joinPlainText(whole));
      }
    }
  }

  @Test
  void sseEventsDoNotDependOnHowAnyBytesAreSplit() {
    int iterations = Fuzz.iterations(300);
    assertTimeoutPreemptively(
        Fuzz.timeLimit(iterations),
        () -> {
          SplittableRandom random = new SplittableRandom(2);
          byte[] seed = fixture("vllm-chat-stream.txt");
          for (int i = 0; i < iterations; i++) {
            byte[] body = i % 5 == 0 ? randomSseish(random) : Fuzz.mutate(seed, random);
            List<String> whole = sseEvents(body, List.of(body.length));
            List<Integer> reads = Fuzz.readSizes(body.length, random);
            assertThat(sseEvents(body, reads)).as("iteration %d", i).isEqualTo(whole);
          }
        });
  }

  private static void fuzz(Target target, int iterations) {
    SplittableRandom random = new SplittableRandom(target.name().hashCode());
    for (int i = 0; i < iterations; i++) {
      byte[] seed = target.validBodies().get(random.nextInt(target.validBodies().size()));
      byte[] body =
          random.nextInt(4) == 0 ? mutateOneSseEvent(seed, random) : Fuzz.mutate(seed, random);
      try {
        List<String> whole = parse(target.parsers().get(), body, List.of(body.length), random);
        List<String> split =
            parse(target.parsers().get(), body, Fuzz.readSizes(body.length, random), random);
        if (!target.name().contains("plain-text")) {
          assertThat(split).as("%s, iteration %d", target, i).isEqualTo(whole);
        }
      } catch (RuntimeException | AssertionError | StackOverflowError escaped) {
        fail(
            target + ", iteration " + i + ": " + escaped + " escaped for body " + preview(body),
            escaped);
      }
    }
  }

  /**
   * Feeds {@code body} to {@code parser} in reads of the given sizes, each copied into a larger
   * buffer at an offset with junk around it, as the engine's pooled buffers are.
   */
  private static List<String> parse(
      ResponseParser parser, byte[] body, List<Integer> readSizes, SplittableRandom random) {
    EventLog events = new EventLog();
    int position = 0;
    for (int size : readSizes) {
      int offset = random.nextInt(4);
      byte[] buffer = new byte[offset + size + random.nextInt(4)];
      random.nextBytes(buffer);
      System.arraycopy(body, position, buffer, offset, size);
      parser.onBody(buffer, offset, size, position, events);
      position += size;
    }
    parser.onEnd(events);
    return events.log;
  }

  /** Plain-text chunks follow the reads, so only their joined text is split-invariant. */
  private static List<String> joinPlainText(List<String> events) {
    List<String> joined = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (String event : events) {
      if (event.startsWith("output(plain)")) {
        text.append(event.substring("output(plain)".length()));
      } else {
        joined.add(event);
      }
    }
    joined.add("text " + text);
    return joined;
  }

  private static List<String> sseEvents(byte[] body, List<Integer> readSizes) {
    SseParser parser = new SseParser();
    List<String> events = new ArrayList<>();
    SseParser.Listener listener =
        (type, data, offset, length) ->
            events.add(type + "|" + new String(data, offset, length, StandardCharsets.ISO_8859_1));
    int position = 0;
    for (int size : readSizes) {
      parser.feed(body, position, size, listener);
      position += size;
    }
    parser.finish(listener);
    return events;
  }

  private static byte[] randomSseish(SplittableRandom random) {
    String[] pieces = {"data:", "data: ", "event:", "x", ":", "\n", "\r", "\r\n", "id: 1", "{}"};
    StringBuilder text = new StringBuilder();
    int count = random.nextInt(60);
    for (int i = 0; i < count; i++) {
      text.append(pieces[random.nextInt(pieces.length)]);
    }
    return utf8(text.toString());
  }

  /** A stream with the JSON of one {@code data:} line given a value of the wrong type. */
  private static byte[] mutateOneSseEvent(byte[] body, SplittableRandom random) {
    String[] lines = new String(body, StandardCharsets.UTF_8).split("\n", -1);
    List<Integer> dataLines = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("data: {")) {
        dataLines.add(i);
      }
    }
    if (dataLines.isEmpty()) {
      return Fuzz.replaceJsonValue(body, random);
    }
    int line = dataLines.get(random.nextInt(dataLines.size()));
    byte[] json = utf8(lines[line].substring("data: ".length()));
    lines[line] =
        "data: " + new String(Fuzz.replaceJsonValue(json, random), StandardCharsets.UTF_8);
    return utf8(String.join("\n", lines));
  }

  private static boolean isErrorBody(byte[] body) {
    return new String(body, StandardCharsets.UTF_8).contains("error");
  }

  private static String preview(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
    return "(" + body.length + " bytes) " + text;
  }

  private static Target target(
      String name, EndpointType type, boolean stream, String contentType, List<byte[]> bodies) {
    return new Target(name, () -> type.adapter(null).responseParser(stream, contentType), bodies);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = ResponseParserFuzzTest.class.getResourceAsStream("/fixtures/" + name)) {
      return in.readAllBytes();
    }
  }

  /**
   * Every event in order, arrival times left out (they follow the reads); checks that a failure
   * always comes with a reason and a message.
   */
  private static final class EventLog implements ResponseEvents {
    final List<String> log = new ArrayList<>();

    @Override
    public void onStreamedOutput(String text, boolean reasoning, long arrivalNanos) {
      assertThat(text).isNotEmpty();
      log.add((reasoning ? "output(reasoning)" : "output(plain)") + text);
    }

    @Override
    public void onCompleteOutput(String text) {
      log.add("complete " + text);
    }

    @Override
    public void onUsage(int promptTokens, int completionTokens) {
      log.add("usage " + promptTokens + " " + completionTokens);
    }

    @Override
    public void onEndMarker() {
      log.add("end");
    }

    @Override
    public void onFailure(FailureReason reason, String message) {
      assertThat(reason).isNotNull();
      assertThat(message).isNotBlank();
      log.add("failure " + reason + " " + message);
    }
  }
}
