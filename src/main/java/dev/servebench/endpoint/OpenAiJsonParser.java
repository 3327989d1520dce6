package dev.servebench.endpoint;

import dev.servebench.record.FailureReason;
import java.io.IOException;

/**
 * A non-streamed response: one JSON object with the whole output and the server's token counts, in
 * OpenAI's shape or a native protocol's ({@link OpenAiPayload.Dialect}). An embeddings response has
 * no output text: it is whole when {@code data[0].embedding} is an array, and its output is zero
 * tokens.
 */
final class OpenAiJsonParser extends WholeBodyParser {

  private final OpenAiPayload.Dialect dialect;

  /** A parser of OpenAI's chat and completions responses. */
  OpenAiJsonParser() {
    this(OpenAiPayload.Dialect.OPENAI);
  }

  OpenAiJsonParser(OpenAiPayload.Dialect dialect) {
    this.dialect = dialect;
  }

  @Override
  void onWholeBody(byte[] body, int length, ResponseEvents events) {
    OpenAiPayload payload = new OpenAiPayload(dialect);
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
    int completionTokens = payload.completionTokens;
    String output = output(payload);
    if (output == null) {
      events.onFailure(FailureReason.PARSE, "response has no " + outputField() + ": " + snippet());
      return;
    }
    if (dialect == OpenAiPayload.Dialect.EMBEDDINGS) {
      completionTokens = 0;
    }
    events.onCompleteOutput(output);
    if (payload.promptTokens >= 0 || completionTokens >= 0) {
      events.onUsage(payload.promptTokens, completionTokens);
    }
  }

  /** The whole output the response holds, or {@code null} when it holds none. */
  private String output(OpenAiPayload payload) {
    return switch (dialect) {
      case OPENAI -> {
        if (payload.content == null && payload.reasoning == null) {
          yield null;
        }
        StringBuilder output = new StringBuilder();
        if (payload.reasoning != null) {
          output.append(payload.reasoning);
        }
        if (payload.content != null) {
          output.append(payload.content);
        }
        yield output.toString();
      }
      case TGI -> payload.wholeText;
      case SGLANG, TRITON -> payload.content;
      case EMBEDDINGS -> payload.embedding ? "" : null;
    };
  }

  private String outputField() {
    return switch (dialect) {
      case OPENAI -> "choices[0] content or text";
      case TGI -> "generated_text";
      case SGLANG -> "text";
      case TRITON -> "text_output";
      case EMBEDDINGS -> "data[0].embedding array";
    };
  }
}
