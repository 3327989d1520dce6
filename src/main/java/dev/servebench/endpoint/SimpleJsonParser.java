package dev.servebench.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.record.FailureReason;
import java.io.IOException;

/**
 * The LLM-on-Ray simple endpoint's non-streamed JSON. Two engines answer differently: transformers
 * with {@code text}, {@code input_length}, {@code generate_length}; vLLM with {@code
 * generated_text}, {@code num_input_tokens}, {@code num_generated_tokens} and {@code error}. Both
 * shapes are accepted whatever {@code --vllm-engine} says, since the flag describes the request. A
 * list prompt answers with an array of such objects; their counts are summed.
 */
final class SimpleJsonParser extends WholeBodyParser {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  void onWholeBody(byte[] body, int length, ResponseEvents events) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body, 0, length);
    } catch (IOException malformed) {
      events.onFailure(FailureReason.PARSE, "response is not JSON: " + snippet());
      return;
    }
    if (root == null || !(root.isObject() || root.isArray())) {
      events.onFailure(FailureReason.PARSE, "response is not a JSON object: " + snippet());
      return;
    }
    StringBuilder text = new StringBuilder();
    int inputTokens = 0;
    int generatedTokens = 0;
    for (JsonNode answer : root.isArray() ? root : java.util.List.of(root)) {
      JsonNode error = answer.path("error");
      if (!error.isMissingNode() && !error.isNull()) {
        events.onFailure(
            FailureReason.SERVER_ERROR,
            ResponseParser.serverErrorMessage(
                error.isTextual() ? error.asText() : error.toString()));
        return;
      }
      JsonNode generated = first(answer, "generated_text", "text");
      JsonNode generatedCount = first(answer, "num_generated_tokens", "generate_length");
      if (generated == null || !generated.isTextual()) {
        events.onFailure(
            FailureReason.PARSE, "response has no generated_text or text field: " + snippet());
        return;
      }
      text.append(generated.asText());
      inputTokens = addCount(inputTokens, first(answer, "num_input_tokens", "input_length"));
      generatedTokens = addCount(generatedTokens, generatedCount);
    }
    events.onCompleteOutput(text.toString());
    if (inputTokens >= 0 || generatedTokens >= 0) {
      events.onUsage(inputTokens, generatedTokens);
    }
  }

  /**
   * Sums counts; -1 (unknown) once any answer lacks a usable count. A negative or overflowing count
   * is no count: the local tokenizer's is used instead.
   */
  private static int addCount(int sum, JsonNode count) {
    if (sum < 0 || count == null || !count.canConvertToInt() || count.asInt() < 0) {
      return -1;
    }
    long total = (long) sum + count.asInt();
    return total > Integer.MAX_VALUE ? -1 : (int) total;
  }

  private static JsonNode first(JsonNode node, String name, String otherName) {
    JsonNode value = node.get(name);
    return value != null && !value.isNull() ? value : node.get(otherName);
  }
}
