package dev.servebench.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.mock.MockServer;
import dev.servebench.mock.RequestWrites;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A run's request records beside the mock server's log of what it wrote for each ({@code
 * MockServerConfig.builder().recordWrites(LOGGED_REQUESTS)}): the truth a latency figure is checked
 * against, instead of the latencies the mock was configured with, which a busy machine makes it
 * miss. Client and mock read {@link System#nanoTime()} in this one process; records are offset by
 * the run's start, so only differences of stamps are compared (a TTFT, a gap), never stamps.
 *
 * <p>Causality bounds the client's figures from below whatever the load: it stamps {@code sent}
 * before the server can read the request and each chunk after the server wrote it, so its TTFT and
 * E2E are never less than the server's. What it adds (the send delay and one chunk's delay) is well
 * under a millisecond on a quiet host ({@code bench/accuracy.sh} measures it); with other work on
 * the cores it stays small for the median request but can be large for a single one, so the checks
 * from above are on the median request, at {@link #MEDIAN_EXCESS_MS}. A stamp taken from the wrong
 * event is off by a whole TTFT or gap (20 ms or more in the tests that use this) in every request.
 */
public final class ServerTruth {

  /** Enough for every request of a test run, warm-up included. */
  public static final int LOGGED_REQUESTS = 10_000;

  /** The most the median request's client TTFT or E2E may exceed the server's. */
  public static final double MEDIAN_EXCESS_MS = 8;

  /**
   * The most a mean gap between chunks (or per token) may differ from the server's. Each request's
   * gaps sum to its last chunk's arrival minus its first's, so the means differ by the average of
   * (last chunk's delay - first chunk's delay) / gaps: small even when single chunks are late.
   */
  public static final double MEAN_GAP_TOLERANCE_MS = 2;

  private static final double NANOS_PER_MILLI = 1e6;

  private ServerTruth() {}

  /** One measured request as the client recorded it and as the server wrote it. */
  public record Pair(RequestRecord client, RequestWrites server) {

    /** Chunks the server wrote; a non-streamed response is one. */
    public int chunks() {
      return server.chunks().size();
    }

    /** First token-bearing chunk's arrival minus the client's send stamp. */
    public double clientTtftMs() {
      return ms(client.stamps().firstTokenNanos() - client.stamps().sentNanos());
    }

    /** First token-bearing write minus the server's read of the request. */
    public double serverTtftMs() {
      return ms(writeNanos(0) - server.receivedNanos());
    }

    /** The last chunk's arrival (a whole response's end when not streamed) minus sent. */
    public double clientE2eMs() {
      long endNanos =
          client.streamed() ? client.stamps().lastTokenNanos() : client.stamps().endNanos();
      return ms(endNanos - client.stamps().sentNanos());
    }

    /** The last token-bearing write minus the server's read of the request. */
    public double serverE2eMs() {
      return ms(writeNanos(chunks() - 1) - server.receivedNanos());
    }

    /** Arrival of chunk {@code i + 1} minus chunk {@code i}'s, as the client stamped them. */
    public double clientGapMs(int i) {
      return ms(client.chunks().nanos()[i + 1] - client.chunks().nanos()[i]);
    }

    /** Write of chunk {@code i + 1} minus chunk {@code i}'s. */
    public double serverGapMs(int i) {
      return ms(writeNanos(i + 1) - writeNanos(i));
    }

    /** Tokens the server wrote in chunk {@code i}. */
    public int serverChunkTokens(int i) {
      return server.chunks().get(i).tokens();
    }

    /** Write of chunk {@code to} minus chunk {@code from}'s. */
    public double serverSpanMs(int from, int to) {
      return ms(writeNanos(to) - writeNanos(from));
    }

    private long writeNanos(int chunk) {
      return server.chunks().get(chunk).writeNanos();
    }
  }

  /**
   * The measured (not warm-up) requests of {@code recordsFile}, each with the server's log of it,
   * which is awaited: the mock files a request's log just before its last byte.
   */
  public static List<Pair> measured(Path recordsFile, MockServer server)
      throws InterruptedException {
    List<RequestRecord> records = new ArrayList<>();
    RecordReader.read(
        recordsFile,
        record -> {
          if (!record.warmup()) {
            records.add(record);
          }
        });
    assertThat(records).as("measured requests in " + recordsFile).isNotEmpty();
    // servebench sends each request's index as its X-Servebench-Request-Id; the mock logs by it.
    Await.awaitUntil(
        "the mock's log of every measured request",
        () -> {
          Map<String, RequestWrites> log = server.writeLog();
          return records.stream().allMatch(record -> log.containsKey(key(record)));
        });
    Map<String, RequestWrites> log = server.writeLog();
    List<Pair> pairs = new ArrayList<>();
    for (RequestRecord record : records) {
      RequestWrites writes = log.get(key(record));
      assertThat(record.succeeded()).as("request %d succeeded", record.index()).isTrue();
      assertThat(writes.chunks()).as("chunks the mock wrote for %d", record.index()).isNotEmpty();
      pairs.add(new Pair(record, writes));
    }
    return pairs;
  }

  /**
   * Checks TTFT and E2E of every request against the server's: never less (causality), and more by
   * at most {@link #MEDIAN_EXCESS_MS} for the median request. Streamed requests only for TTFT.
   */
  public static void assertTtftAndE2eFollowTheServer(List<Pair> pairs) {
    assertTtftAndE2eFollowTheServer(pairs, MEDIAN_EXCESS_MS);
  }

  /**
   * As {@link #assertTtftAndE2eFollowTheServer(List)}, the median request's excess at most {@code
   * medianExcessMs}.
   */
  public static void assertTtftAndE2eFollowTheServer(List<Pair> pairs, double medianExcessMs) {
    List<Double> ttftExcess = new ArrayList<>();
    List<Double> e2eExcess = new ArrayList<>();
    for (Pair pair : pairs) {
      if (pair.client().streamed()) {
        assertThat(pair.client().chunks().nanos())
            .as("chunks of request %d", pair.client().index())
            .hasSize(pair.chunks());
        ttftExcess.add(pair.clientTtftMs() - pair.serverTtftMs());
      }
      e2eExcess.add(pair.clientE2eMs() - pair.serverE2eMs());
    }
    if (!ttftExcess.isEmpty()) {
      assertThat(ttftExcess).as("client TTFT minus the server's (ms)").allMatch(x -> x >= 0);
      assertThat(median(ttftExcess))
          .as("median client TTFT minus the server's (ms) of %s", ttftExcess)
          .isLessThanOrEqualTo(medianExcessMs);
    }
    assertThat(e2eExcess).as("client E2E minus the server's (ms)").allMatch(x -> x >= 0);
    assertThat(median(e2eExcess))
        .as("median client E2E minus the server's (ms) of %s", e2eExcess)
        .isLessThanOrEqualTo(medianExcessMs);
  }

  /** The mean of {@code figure} over {@code pairs}. */
  public static double mean(List<Pair> pairs, ToDoubleFunction<Pair> figure) {
    return pairs.stream().mapToDouble(figure).average().orElseThrow();
  }

  /** The mean server gap between consecutive chunks, over every gap of every request. */
  public static double meanServerGapMs(List<Pair> pairs) {
    double sum = 0;
    long gaps = 0;
    for (Pair pair : pairs) {
      for (int i = 0; i < pair.chunks() - 1; i++) {
        sum += pair.serverGapMs(i);
        gaps++;
      }
    }
    return sum / gaps;
  }

  /**
   * The server's gaps spread over the tokens of the chunk each ends with, weighted by those tokens:
   * the sum of the gaps over the tokens of every chunk but the first.
   */
  public static double meanServerGapPerTokenMs(List<Pair> pairs) {
    double sum = 0;
    long tokens = 0;
    for (Pair pair : pairs) {
      for (int i = 0; i < pair.chunks() - 1; i++) {
        sum += pair.serverGapMs(i);
        tokens += pair.serverChunkTokens(i + 1);
      }
    }
    return sum / tokens;
  }

  public static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private static String key(RequestRecord record) {
    return Integer.toString(record.index());
  }

  private static double ms(long nanos) {
    return nanos / NANOS_PER_MILLI;
  }
}
