package dev.servebench.endpoint;

import dev.servebench.dataset.Prompt;
import java.util.List;

/**
 * One protocol: how to address the endpoint, what to send for a prompt, and how to read what comes
 * back. Adapters know nothing of schedules, timing or statistics.
 */
public interface EndpointAdapter {

  /**
   * The request path on the server.
   *
   * @param basePath the path of {@code --model-endpoint-base} (often empty)
   * @param modelName the model, which the simple endpoint and Triton route by
   * @param stream whether the requests ask for a stream: TGI and Triton stream at a route of their
   *     own
   */
  String requestPath(String basePath, String modelName, boolean stream);

  /**
   * The JSON request body for one prompt: the same bytes for the same prompt and options (the
   * runner reuses a body when a prompt repeats), never written to after it is returned.
   */
  byte[] requestBody(Prompt prompt, RequestOptions options);

  /**
   * The body for a turn of a multi-turn session: {@code history} is the conversation before it,
   * user and assistant texts alternating from a user's, and {@code prompt} the new user turn. A
   * protocol without a messages list sends the conversation as one text, its parts joined by a
   * newline, which is what this default does.
   */
  default byte[] requestBody(Prompt prompt, List<String> history, RequestOptions options) {
    return requestBody(conversationAsText(prompt, history), options);
  }

  /** The prompt with the history before it, each part on its own line. */
  static Prompt conversationAsText(Prompt prompt, List<String> history) {
    if (history.isEmpty()) {
      return prompt;
    }
    StringBuilder text = new StringBuilder();
    for (String part : history) {
      text.append(part).append('\n');
    }
    text.append(prompt.text());
    return new Prompt(text.toString(), prompt.promptTokens(), prompt.outputTokens());
  }

  /**
   * A parser for one successful response.
   *
   * @param streamRequested whether the request asked for a stream
   * @param contentType the response's {@code Content-Type}, or {@code null}: a server that ignores
   *     {@code stream} and answers with one JSON object is read as non-streamed
   */
  ResponseParser responseParser(boolean streamRequested, String contentType);

  /** Joins a base path and a route without doubling or dropping the slash. */
  static String joinPath(String basePath, String route) {
    String base = basePath == null ? "" : basePath;
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base + (route.startsWith("/") ? route : "/" + route);
  }

  /** Whether a Content-Type names JSON (so the body is one object, not a stream). */
  static boolean isJson(String contentType) {
    return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("json");
  }
}
