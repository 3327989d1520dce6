package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.dataset.Prompt;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A multi-turn session's body: the conversation so far before the new user turn. */
class ConversationBodyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RequestOptions OPTIONS =
      new RequestOptions("m", true, null, null, null, null, false, false);
  private static final Prompt TURN = new Prompt("And of Italy?", 4, 9);
  private static final List<String> HISTORY = List.of("Capital of France?", "Paris.");

  private static JsonNode body(EndpointType type, List<String> history) throws IOException {
    return JSON.readTree(type.adapter(null).requestBody(TURN, history, OPTIONS));
  }

  @Test
  void chatSendsTheHistoryAsAlternatingMessages() throws IOException {
    JsonNode body = body(EndpointType.OPENAI_CHAT, HISTORY);

    JsonNode messages = body.path("messages");
    assertThat(messages.size()).isEqualTo(3);
    assertThat(messages.findValuesAsText("role")).containsExactly("user", "assistant", "user");
    assertThat(messages.findValuesAsText("content"))
        .containsExactly("Capital of France?", "Paris.", "And of Italy?");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(9);
  }

  @Test
  void withoutHistoryTheBodyIsTheSingleRequestOne() {
    for (EndpointType type : EndpointType.values()) {
      EndpointAdapter adapter = type.adapter(null);
      assertThat(adapter.requestBody(TURN, List.of(), OPTIONS))
          .as(type.flagValue())
          .isEqualTo(adapter.requestBody(TURN, OPTIONS));
    }
  }

  @Test
  void textProtocolsSendTheConversationAsOneText() throws IOException {
    String expected = "Capital of France?\nParis.\nAnd of Italy?";

    assertThat(body(EndpointType.OPENAI_COMPLETIONS, HISTORY).path("prompt").asText())
        .isEqualTo(expected);
    assertThat(body(EndpointType.SIMPLE, HISTORY).path("text").asText()).isEqualTo(expected);
  }
}
