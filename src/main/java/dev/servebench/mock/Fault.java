package dev.servebench.mock;

/**
 * A misbehaviour the mock server injects into one generation request (see {@link FaultSpec}). Some
 * take a parameter, with the meaning and default given here; the stream-only ones are never chosen
 * for a non-streamed request.
 */
public enum Fault {
  /** Closes the connection as soon as the request is read, before any response byte. */
  CLOSE_BEFORE_HEADERS(null, 0, false),
  /**
   * Resets the connection (TCP RST) when the token after the first {@code k} would be due; a
   * non-streamed request is reset when its answer would be due.
   */
  RESET_AFTER_TOKENS("tokens", 1, false),
  /**
   * Status 429 with a JSON error; the parameter is a {@code Retry-After} in seconds, 0 for none.
   */
  HTTP_429("retry-after seconds", 0, false),
  /** Status 500 with an OpenAI-style JSON error body. */
  HTTP_500(null, 0, false),
  /** Status 503 with an HTML body, as a proxy in front of a dead server answers. */
  HTTP_503_HTML(null, 0, false),
  /**
   * Status 200 with a whole HTML page to a streamed request, as a login page or a misrouted proxy
   * answers: no event stream at all.
   */
  HTML_200(null, 0, true),
  /** Status 200, {@code k} tokens, then {@code data: {"error": {...}}} and {@code [DONE]}. */
  SSE_ERROR_EVENT("tokens", 1, true),
  /** The whole stream, usage included, but no {@code data: [DONE]}. */
  END_WITHOUT_DONE(null, 0, true),
  /** The stream ends cleanly without its last content event, usage and {@code [DONE]}. */
  DROP_LAST_EVENT(null, 0, true),
  /**
   * After {@code k} tokens an event cut off mid-JSON, then the rest of the stream; a non-streamed
   * request gets the first half of its JSON body.
   */
  MALFORMED_JSON("tokens", 1, false),
  /**
   * After {@code k} tokens a text delta holding bytes that are no UTF-8, split across two writes
   * ({@code E2 82}, then {@code FF}), then the rest of the stream.
   */
  INVALID_UTF8("tokens", 1, true),
  /** Tokens at the configured pace until the client goes away. */
  ENDLESS_STREAM(null, 0, true),
  /** Reads the request and never answers; the connection stays open. */
  NEVER_ANSWER(null, 0, false),
  /**
   * Every event's text is the given number of KiB of one letter, no space in it, at the configured
   * pace: a long response that crosses {@code --max-response-bytes} late, in text that is costly to
   * tokenize.
   */
  WIDE_EVENTS("KiB", 10, true),
  /** One text event of the given size in MiB, written as fast as the client reads, then the end. */
  HUGE_RESPONSE("MiB", 64, true),
  /**
   * A normal keep-alive response, then the connection is closed after the given delay in
   * milliseconds if no new request has arrived, so a client reusing it then races the close.
   */
  CLOSE_IDLE_KEEPALIVE("delay ms", 20, false);

  private final String parameterName;
  private final long defaultParameter;
  private final boolean streamedOnly;

  Fault(String parameterName, long defaultParameter, boolean streamedOnly) {
    this.parameterName = parameterName;
    this.defaultParameter = defaultParameter;
    this.streamedOnly = streamedOnly;
  }

  /** What the parameter means, for messages; {@code null} when the fault takes none. */
  public String parameterName() {
    return parameterName;
  }

  public long defaultParameter() {
    return defaultParameter;
  }

  /** Whether the fault can be injected into a request with this {@code stream} setting. */
  public boolean appliesTo(boolean streamed) {
    return streamed || !streamedOnly;
  }
}
