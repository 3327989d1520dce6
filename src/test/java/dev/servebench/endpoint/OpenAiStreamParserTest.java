package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.record.FailureReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiStreamParserTest {

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = OpenAiStreamParserTest.class.getResourceAsStream("/fixtures/" + name)) {
      return in.readAllBytes();
    }
  }

  private static RecordingEvents parse(ResponseParser parser, String body) {
    return parse(parser, body.getBytes(StandardCharsets.UTF_8));
  }

  private static RecordingEvents parse(ResponseParser parser, byte[] body) {
    RecordingEvents events = new RecordingEvents();
    parser.onBody(body, 0, body.length, 1, events);
    parser.onEnd(events);
    return events;
  }

  @Test
  void vllmChatStreamSkipsTheRoleChunkAndReadsTheSeparateUsageEvent() throws IOException {
    RecordingEvents events = parse(new OpenAiStreamParser(), fixture("vllm-chat-stream.txt"));
    assertThat(events.chunks).containsExactly("Hello", " there", "!");
    assertThat(events.promptTokens).isEqualTo(12);
    assertThat(events.completionTokens).isEqualTo(3);
    assertThat(events.endMarker).isTrue();
    assertThat(events.failure).isNull();
  }

  @Test
  void completionsStreamWithUsageInsideTheLastContentEvent() throws IOException {
    RecordingEvents events =
        parse(new OpenAiStreamParser(), fixture("completions-stream-usage-in-last.txt"));
    assertThat(events.chunks).containsExactly(" The", " end");
    assertThat(events.completionTokens).isEqualTo(2);
    assertThat(events.promptTokens).isEqualTo(5);
    assertThat(events.failure).isNull();
  }

  @Test
  void eachReadStampsItsOwnChunks() throws IOException {
    byte[] body = fixture("vllm-chat-stream.txt");
    String text = new String(body, StandardCharsets.UTF_8);
    int secondEvent = text.indexOf("data:", text.indexOf("Hello"));
    OpenAiStreamParser parser = new OpenAiStreamParser();
    RecordingEvents events = new RecordingEvents();
    byte[] first = text.substring(0, secondEvent).getBytes(StandardCharsets.UTF_8);
    byte[] rest = text.substring(secondEvent).getBytes(StandardCharsets.UTF_8);
    parser.onBody(first, 0, first.length, 100, events);
    parser.onBody(rest, 0, rest.length, 250, events);
    parser.onEnd(events);
    assertThat(events.chunkNanos).containsExactly(100L, 250L, 250L);
  }

  @Test
  void aStreamWithoutDoneIsCompleteOnceItsUsageEventCame() {
    String body =
        "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1}}\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.failure).isNull();
    assertThat(events.completionTokens).isEqualTo(1);
    assertThat(events.endMarker).isFalse();
  }

  @Test
  void aWholePageWhereAStreamWasDueIsNamedAndQuoted() {
    RecordingEvents events =
        parse(new OpenAiStreamParser(), "<!DOCTYPE html>\n<html><body>Sign in</body></html>\n");
    assertThat(events.failure).isEqualTo(FailureReason.NOT_EVENT_STREAM);
    assertThat(events.failureMessage)
        .contains("not an event stream")
        .contains("<!DOCTYPE html> <html><body>Sign in");
  }

  @Test
  void aStreamWithoutDoneOrUsageEventWasCut() {
    // Continuous usage in a content event does not say the stream is over.
    String body =
        "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1}}\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.failure).isEqualTo(FailureReason.STREAM_CUT);
    assertThat(events.failureMessage).contains("without data: [DONE] and before its usage event");
  }

  @Test
  void continuousUsageInEveryEventKeepsTheLastCount() {
    String body =
        "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1}}\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"bc\"}}],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":3}}\n\n"
            + "data: [DONE]\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.chunks).containsExactly("a", "bc");
    assertThat(events.completionTokens).isEqualTo(3);
  }

  @Test
  void reasoningContentIsOutputAndMarked() {
    String body =
        "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"think\"}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{\"reasoning\":\" more\"}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"answer\"}}]}\n\n"
            + "data: [DONE]\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.chunks).containsExactly("think", " more", "answer");
    assertThat(events.reasoningFlags).containsExactly(true, true, false);
  }

  @Test
  void aDeltaWithReasoningAndAnswerIsOneAnswerChunk() {
    String body =
        "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"so: \",\"content\":\"yes\"}}]}\n\n"
            + "data: [DONE]\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.chunks).containsExactly("so: yes");
    assertThat(events.reasoningFlags).containsExactly(false);
  }

  @Test
  void emptyAndNullDeltasAreNotTokens() {
    String body =
        "data: {\"choices\":[{\"delta\":{\"content\":null}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"\"}}]}\n\n"
            + "data: [DONE]\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.chunks).isEmpty();
    assertThat(events.failure).isNull();
  }

  @Test
  void anErrorObjectAfterStatus200FailsTheRequest() {
    String body =
        "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
            + "data: {\"error\":{\"message\":\"out of memory\",\"type\":\"server_error\",\"code\":500}}\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.failure).isEqualTo(FailureReason.SERVER_ERROR);
    assertThat(events.failureMessage).isEqualTo("out of memory");
  }

  @Test
  void anSseErrorEventFailsTheRequest() {
    String body = "event: error\ndata: {\"message\":\"overloaded\"}\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.failure).isEqualTo(FailureReason.SERVER_ERROR);
    assertThat(events.failureMessage).contains("overloaded");
  }

  @Test
  void malformedJsonFailsAsParseErrorNamingTheEvent() {
    String body = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}\n\ndata: [DONE]\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.failure).isEqualTo(FailureReason.PARSE);
    assertThat(events.failureMessage).contains("malformed JSON").contains("choices");
  }

  @Test
  void aStreamWithoutDoneIsCut() {
    String body = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n";
    RecordingEvents events = parse(new OpenAiStreamParser(), body);
    assertThat(events.chunks).containsExactly("a");
    assertThat(events.failure).isEqualTo(FailureReason.STREAM_CUT);
  }

  @Test
  void nonStreamedChatResponse() {
    String body =
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi you\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9}}";
    RecordingEvents events = parse(new OpenAiJsonParser(), body);
    assertThat(events.completeOutput).isEqualTo("Hi you");
    assertThat(events.promptTokens).isEqualTo(7);
    assertThat(events.completionTokens).isEqualTo(2);
  }

  @Test
  void nonStreamedResponseThatIsNotJsonFails() {
    RecordingEvents events = parse(new OpenAiJsonParser(), "<html>Bad gateway</html>");
    assertThat(events.failure).isEqualTo(FailureReason.PARSE);
    assertThat(events.failureMessage).contains("<html>");
  }

  @Test
  void serverThatIgnoresStreamIsReadAsOneJsonObject() {
    EndpointAdapter chat = EndpointType.OPENAI_CHAT.adapter(null);
    assertThat(chat.responseParser(true, "application/json")).isInstanceOf(OpenAiJsonParser.class);
    assertThat(chat.responseParser(true, "text/event-stream; charset=utf-8"))
        .isInstanceOf(OpenAiStreamParser.class);
  }
}
