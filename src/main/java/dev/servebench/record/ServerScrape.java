package dev.servebench.record;

import dev.servebench.exposition.Exposition;

/**
 * One scrape of the server's own metrics ({@code --server-metrics}) during a run, as the records
 * file keeps it: when it was taken on the run's clock, and the exposition read, or why none was.
 *
 * @param atNanos when the scrape was sent, in nanoseconds since the run's start (the clock every
 *     request stamp uses)
 * @param tookNanos from sending the scrape to having its whole answer
 * @param exposition what the server answered, or {@code null} when the scrape failed
 * @param error why the scrape failed (no connection, an HTTP status, a malformed exposition), or
 *     {@code null}
 */
public record ServerScrape(long atNanos, long tookNanos, Exposition exposition, String error) {

  public ServerScrape {
    if ((exposition == null) == (error == null)) {
      throw new IllegalArgumentException("a scrape has either an exposition or an error");
    }
  }

  public static ServerScrape read(long atNanos, long tookNanos, Exposition exposition) {
    return new ServerScrape(atNanos, tookNanos, exposition, null);
  }

  public static ServerScrape failed(long atNanos, long tookNanos, String error) {
    return new ServerScrape(atNanos, tookNanos, null, error);
  }

  public boolean succeeded() {
    return exposition != null;
  }
}
