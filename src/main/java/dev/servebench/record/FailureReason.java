package dev.servebench.record;

import java.util.Locale;

/** Why a request failed; each has a stable name used in records, summaries and reports. */
public enum FailureReason {
  /** No connection could be made (refused, unreachable, DNS). */
  CONNECT,
  /** The request did not complete within {@code --timeout}. */
  TIMEOUT,
  /** No token arrived within {@code --ttft-timeout} of sending. */
  TTFT_TIMEOUT,
  /** Nothing arrived for {@code --idle-timeout} while the response was under way. */
  IDLE_TIMEOUT,
  /** The response grew past {@code --max-response-bytes}. */
  RESPONSE_TOO_LARGE,
  /** The server answered with a status other than 2xx. */
  HTTP_STATUS,
  /** The TLS handshake failed: an untrusted certificate, a host-name mismatch, no common cipher. */
  TLS,
  /** The connection closed or reset before the response was complete. */
  STREAM_CUT,
  /**
   * A streamed request was answered with a whole body that holds no event at all (an HTML page: a
   * login form, a proxy's notice), where an event stream was due.
   */
  NOT_EVENT_STREAM,
  /** The body was not the protocol: malformed JSON, invalid UTF-8, missing fields. */
  PARSE,
  /**
   * The server reported an error inside a successful response (an SSE error event, an error field).
   */
  SERVER_ERROR,
  /** Any other I/O error on the connection. */
  IO,
  /**
   * The run was interrupted (Ctrl-C, SIGTERM) and the request did not finish within the drain time.
   */
  CANCELLED;

  /** The name used in files and reports, e.g. {@code stream_cut}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The reason for a label written by {@link #label()}. */
  public static FailureReason fromLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
