package dev.servebench.run;

import dev.servebench.record.RequestRecord;

/** Keeps the API key out of everything servebench writes, even when a server echoes it back. */
final class Secrets {

  static final String REDACTED = "[redacted]";

  private Secrets() {}

  /** The record with every text field scrubbed of {@code secret} (no-op without a secret). */
  static RequestRecord redact(RequestRecord record, String secret) {
    if (secret == null || secret.isEmpty() || !mentions(record, secret)) {
      return record;
    }
    return new RequestRecord(
        record.index(),
        record.warmup(),
        record.attempts(),
        record.attemptErrors().stream().map(error -> scrub(error, secret)).toList(),
        record.streamed(),
        record.intendedNanos(),
        record.sentNanos(),
        record.firstSentNanos(),
        record.headersNanos(),
        record.firstTokenNanos(),
        record.lastTokenNanos(),
        record.endNanos(),
        record.firstContentNanos(),
        record.chunkNanos(),
        record.chunkTokens(),
        record.chunkTokensSource(),
        record.promptTokens(),
        record.promptTokensSource(),
        record.localPromptTokens(),
        record.serverPromptTokens(),
        record.requestedOutputTokens(),
        record.outputTokens(),
        record.outputTokensSource(),
        record.httpStatus(),
        record.failureReason(),
        scrub(record.error(), secret),
        scrub(record.promptText(), secret),
        scrub(record.outputText(), secret));
  }

  private static boolean mentions(RequestRecord record, String secret) {
    return contains(record.error(), secret)
        || contains(record.promptText(), secret)
        || contains(record.outputText(), secret)
        || record.attemptErrors().stream().anyMatch(error -> contains(error, secret));
  }

  private static boolean contains(String text, String secret) {
    return text != null && text.contains(secret);
  }

  static String scrub(String text, String secret) {
    return text == null ? null : text.replace(secret, REDACTED);
  }
}
