package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.servebench.dataset.Prompt;
import dev.servebench.error.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The extra body merged while a body is written equals the body merged afterwards by a plain RFC
 * 7396 merge over Jackson's trees, for every protocol, with and without streaming and sampling
 * settings.
 */
class ExtraBodyTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final List<String> PATCHES =
      List.of(
          "{}",
          // A field servebench does not send is added; one it sends is replaced.
          "{\"top_p\": 0.5, \"min_p\": 0.1}",
          "{\"max_tokens\": 3, \"model\": \"other\", \"prompt\": \"replaced\"}",
          // null removes a field.
          "{\"temperature\": null, \"ignore_eos\": null, \"absent\": null}",
          // An object merges into an object member by member, null removing.
          "{\"stream_options\": {\"continuous_usage_stats\": true, \"include_usage\": null}}",
          "{\"config\": {\"repetition_penalty\": 1.1, \"do_sample\": true, \"max_new_tokens\": null}}",
          // Anything else replaces an object, and an object replaces anything else.
          "{\"stream_options\": 7, \"config\": \"flat\"}",
          "{\"messages\": [{\"role\": \"system\", \"content\": \"x\"}, null]}",
          "{\"text\": {\"a\": null, \"b\": [null, 1]}, \"model\": {\"id\": \"m\", \"no\": null}}",
          // A new object lands without its nulls, at every depth.
          "{\"chat_template_kwargs\": {\"enable_thinking\": false, \"gone\": null,"
              + " \"deep\": {\"x\": null, \"y\": 1}}}",
          "{\"ignore_eos\": false, \"top_k\": 5, \"temperature\": 0}");

  private static final List<RequestOptions> OPTIONS =
      List.of(
          new RequestOptions("m", true, null, null, null, null, false, false),
          new RequestOptions("m", false, null, null, null, null, false, false),
          new RequestOptions("m", true, 0.0, 0.9, 3, true, true, true),
          new RequestOptions("m", false, 0.7, null, 0, false, true, false));

  @Test
  void mergingWhileWritingEqualsAMergePatchOfTheBody() throws Exception {
    Prompt prompt = new Prompt("Tell me \"why\".\n", 5, 17);
    for (EndpointType type : EndpointType.values()) {
      EndpointAdapter adapter = type.adapter(null);
      for (RequestOptions options : OPTIONS) {
        JsonNode own = MAPPER.readTree(adapter.requestBody(prompt, options));
        for (String patch : PATCHES) {
          byte[] merged =
              adapter.requestBody(prompt, options.withExtraBody(ExtraBody.parse(patch)));
          assertThat(MAPPER.readTree(merged))
              .as("%s %s %s", type, options, patch)
              .isEqualTo(mergePatch(own, MAPPER.readTree(patch)));
        }
      }
    }
  }

  @Test
  void numbersGoOutAsWritten() {
    ExtraBody extra =
        ExtraBody.parse("{\"x\": 0.10000000000000000001, \"n\": 12345678901234567890}");
    byte[] body =
        EndpointType.OPENAI_CHAT
            .adapter(null)
            .requestBody(
                new Prompt("p", 1, 1),
                new RequestOptions("m", false, null, null, null, null, false, false, extra));
    assertThat(new String(body, StandardCharsets.UTF_8))
        .contains("\"x\":0.10000000000000000001")
        .contains("\"n\":12345678901234567890");
  }

  @Test
  void theConfigurationShowsTheObjectAsGiven() {
    ExtraBody extra = ExtraBody.parse("{\"a\": {\"b\": null}, \"c\": [1, \"two\"]}");
    assertThat(extra.described())
        .containsExactly(
            Map.entry("a", java.util.Collections.singletonMap("b", null)),
            Map.entry("c", List.of(1, "two")));
    assertThat(ExtraBody.parse("{}").isEmpty()).isTrue();
  }

  @Test
  void anythingButOneJsonObjectIsRefusedWithAnExample() {
    assertRefused(
        "[1, 2]", "--extra-body must be a JSON object, got an array", "'{\"top_p\": 0.9}'");
    assertRefused("\"text\"", "got a string");
    assertRefused("", "got nothing");
    assertRefused("{\"a\": ", "--extra-body is not valid JSON", "e.g. --extra-body");
    assertRefused("{top_p: 1}", "--extra-body is not valid JSON");
    assertRefused("{\"a\": 1} {\"b\": 2}", "--extra-body is not valid JSON");
    assertRefused("{\"a\": 1, \"a\": 2}", "--extra-body is not valid JSON", "'a'");
  }

  @Test
  void streamHasFlagsOfItsOwn() {
    assertRefused("{\"stream\": false}", "\"stream\"", "--stream or --no-stream");
  }

  private static void assertRefused(String json, String... messageParts) {
    assertThatThrownBy(() -> ExtraBody.parse(json))
        .as(json)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContainingAll(messageParts);
  }

  /** RFC 7396, section 2, over Jackson's trees: the reference the merging writer must match. */
  private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result =
        target != null && target.isObject() ? target.deepCopy() : MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> member : patch.properties()) {
      if (member.getValue().isNull()) {
        result.remove(member.getKey());
      } else {
        result.set(member.getKey(), mergePatch(result.get(member.getKey()), member.getValue()));
      }
    }
    return result;
  }
}
