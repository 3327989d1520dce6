package dev.servebench.run;

import dev.servebench.record.RequestRecord;
import java.util.List;

/**
 * Keeps the API key and secret header values out of everything servebench writes, even when a
 * server echoes them back.
 */
final class Secrets {

  static final String REDACTED = "[redacted]";

  private Secrets() {}

  /** The record with every text field scrubbed of each secret (no-op without secrets). */
  static RequestRecord redact(RequestRecord record, List<String> secrets) {
    RequestRecord clean = record;
    for (String secret : secrets) {
      clean = redact(clean, secret);
    }
    return clean;
  }

  /** The record with every text field scrubbed of {@code secret} (no-op without a secret). */
  static RequestRecord redact(RequestRecord record, String secret) {
    if (secret == null || secret.isEmpty() || !mentions(record, secret)) {
      return record;
    }
    RequestRecord.Outcome outcome = record.outcome();
    return new RequestRecord(
        record.index(),
        record.warmup(),
        new RequestRecord.Outcome(
            outcome.httpStatus(),
            outcome.failureReason(),
            scrub(outcome.error(), secret),
            outcome.attempts(),
            outcome.attemptErrors().stream().map(error -> scrub(error, secret)).toList()),
        record.stamps(),
        record.streamed(),
        record.chunks(),
        record.tokens(),
        new RequestRecord.Texts(
            scrub(record.texts().prompt(), secret), scrub(record.texts().output(), secret)),
        record.turn());
  }

  private static boolean mentions(RequestRecord record, String secret) {
    return contains(record.outcome().error(), secret)
        || contains(record.texts().prompt(), secret)
        || contains(record.texts().output(), secret)
        || record.outcome().attemptErrors().stream().anyMatch(error -> contains(error, secret));
  }

  private static boolean contains(String text, String secret) {
    return text != null && text.contains(secret);
  }

  /** {@code text} scrubbed of each secret. */
  static String redact(String text, List<String> secrets) {
    String clean = text;
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        clean = scrub(clean, secret);
      }
    }
    return clean;
  }

  static String scrub(String text, String secret) {
    return text == null ? null : text.replace(secret, REDACTED);
  }
}
