package dev.servebench.endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A non-streamed OpenAI response: one JSON object with the whole output and {@code usage}. */
final class OpenAiJsonParser implements ResponseParser {

  private final BufferedBody body = new BufferedBody();

  @Override
  public void onBody(byte[] bytes, int offset, int length, long arrivalNanos, ResponseEvents events) {
    body.append(bytes, offset, length);
  }

  @Override
  public void onEnd(ResponseEvents events) {
    OpenAiPayload payload = new OpenAiPayload();
    try {
      payload.read(body.bytes(), 0, body.length());
    } catch (IOException malformed) {
      events.onFailure(
          FailureReason.PARSE,
          "response is not a JSON object: "
              + OpenAiPayload.describe(malformed)
              + " in: "
              + new String(body.bytes(), 0, Math.min(body.length(), 200), StandardCharsets.UTF_8));
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
