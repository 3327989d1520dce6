package dev.servebench.exposition;

/** The text is not a Prometheus text exposition; the message names the line and what is wrong. */
public final class MalformedExpositionException extends IllegalArgumentException {

  public MalformedExpositionException(String message) {
    super(message);
  }
}
