package dev.servebench.endpoint;

import dev.servebench.record.FailureReason;
import java.io.IOException;

/** A non-streamed OpenAI response: one JSON object with the whole output and {@code usage}. */
final class OpenAiJsonParser extends WholeBodyParser {

  @Override
  void onWholeBody(byte[] body, int length, ResponseEvents events) {
    OpenAiPayload payload = new OpenAiPayload();
    try {
      payload.read(body, 0, length);
    } catch (IOException malformed) {
      events.onFailure(
          FailureReason.PARSE,
          "response is not a JSON object: "
              + OpenAiPayload.describe(malformed)
              + " in: "
              + snippet());
      return;
    }
    if (payload.errorMessage != null) {
      events.onFailure(
          FailureReason.SERVER_ERROR, ResponseParser.serverErrorMessage(payload.errorMessage));
      return;
    }
    StringBuilder output = new StringBuilder();
    if (payload.reasoning != null) {
      output.append(payload.reasoning);
    }
    if (payload.content != null) {
      output.append(payload.content);
    }
    if (payload.content == null && payload.reasoning == null) {
      events.onFailure(FailureReason.PARSE, "response has no choices[0] content or text");
      return;
    }
    events.onCompleteOutput(output.toString());
    if (payload.promptTokens >= 0 || payload.completionTokens >= 0) {
      events.onUsage(payload.promptTokens, payload.completionTokens);
    }
  }
}
