package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.dataset.Prompt;
import dev.servebench.error.InvalidInputException;
import org.junit.jupiter.api.Test;

class OpenAiEndpointTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void pathsWithAndWithoutV1InTheBase() {
    EndpointAdapter chat = EndpointType.OPENAI_CHAT.adapter(null);
    EndpointAdapter completions = EndpointType.OPENAI_COMPLETIONS.adapter(null);
    assertThat(chat.requestPath("", "m", true)).isEqualTo("/v1/chat/completions");
    assertThat(chat.requestPath("/v1/", "m", true)).isEqualTo("/v1/chat/completions");
    assertThat(completions.requestPath("/proxy", "m", false)).isEqualTo("/proxy/v1/completions");
  }

  @Test
  void streamedChatRequestAsksForUsage() throws Exception {
    RequestOptions options = new RequestOptions("llama", true, null, 0.9, null, null, false, true);
    JsonNode body =
        MAPPER.readTree(
            EndpointType.OPENAI_CHAT.adapter(null).requestBody(new Prompt("hi", 1, 64), options));
    assertThat(body.path("model").asText()).isEqualTo("llama");
    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("user");
    assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("hi");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
    assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(body.path("stream_options").path("continuous_usage_stats").asBoolean()).isTrue();
    assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
    assertThat(body.has("temperature")).isFalse();
    assertThat(body.has("ignore_eos")).isFalse();
  }

  @Test
  void nonStreamedCompletionsRequestWithZeroTemperature() throws Exception {
    RequestOptions options = new RequestOptions("m", false, 0.0, null, null, null, true, false);
    JsonNode body =
        MAPPER.readTree(
            EndpointType.OPENAI_COMPLETIONS
                .adapter(null)
                .requestBody(new Prompt("p", 1, 8), options));
    assertThat(body.path("prompt").asText()).isEqualTo("p");
    assertThat(body.has("messages")).isFalse();
    assertThat(body.path("stream").asBoolean(true)).isFalse();
    assertThat(body.has("stream_options")).isFalse();
    assertThat(body.has("temperature")).isTrue();
    assertThat(body.path("ignore_eos").asBoolean()).isTrue();
  }

  @Test
  void unknownEndpointTypeListsTheChoices() {
    assertThatThrownBy(() -> EndpointType.parse("vllm"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "simple, openai-chat, openai-completions, tgi, sglang, triton, openai-embeddings");
  }
}
