package dev.servebench.metrics;

import dev.servebench.record.RequestRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-second counts over the run (seconds since its start): requests started, finished and failed,
 * tokens that arrived, requests in flight, and the median TTFT of the requests started in each
 * second. Memory grows with the run's length in seconds, not with its requests.
 */
final class TimeSeries {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final List<long[]> counts = new ArrayList<>();
  private final List<StreamingMedian> ttftBySecond = new ArrayList<>();

  private static final int STARTED = 0;
  private static final int FINISHED = 1;
  private static final int FAILED = 2;
  private static final int TOKENS = 3;

  void add(RequestRecord record) {
    if (record.stamps().sentNanos() != RequestRecord.ABSENT) {
      bucket(record.stamps().sentNanos())[STARTED]++;
      long ttftNanos = record.ttftNanos();
      if (record.succeeded() && record.streamed() && ttftNanos != RequestRecord.ABSENT) {
        ttftMedian(second(record.stamps().sentNanos())).add(ttftNanos);
      }
    }
    if (record.stamps().endNanos() != RequestRecord.ABSENT) {
      bucket(record.stamps().endNanos())[record.succeeded() ? FINISHED : FAILED]++;
    }
    if (!record.succeeded()) {
      return;
    }
    long[] chunks = record.chunks().nanos();
    if (chunks.length == 0) {
      bucket(record.stamps().endNanos())[TOKENS] += record.tokens().output();
      return;
    }
    for (int i = 0; i < chunks.length; i++) {
      bucket(chunks[i])[TOKENS] += record.chunks().tokens()[i];
    }
  }

  private static int second(long nanos) {
    return (int) Math.max(0, nanos / NANOS_PER_SECOND);
  }

  private long[] bucket(long nanos) {
    int second = second(nanos);
    while (counts.size() <= second) {
      counts.add(new long[4]);
    }
    return counts.get(second);
  }

  /**
   * One streaming median per second, in constant memory: a histogram per second would make the heap
   * grow with the run's length.
   */
  private StreamingMedian ttftMedian(int second) {
    while (ttftBySecond.size() <= second) {
      ttftBySecond.add(null);
    }
    StreamingMedian median = ttftBySecond.get(second);
    if (median == null) {
      median = new StreamingMedian();
      ttftBySecond.set(second, median);
    }
    return median;
  }

  List<Summary.Interval> intervals() {
    List<Summary.Interval> intervals = new ArrayList<>(counts.size());
    long inFlight = 0;
    for (int second = 0; second < counts.size(); second++) {
      long[] c = counts.get(second);
      inFlight += c[STARTED] - c[FINISHED] - c[FAILED];
      StreamingMedian ttft = second < ttftBySecond.size() ? ttftBySecond.get(second) : null;
      intervals.add(
          new Summary.Interval(
              second,
              c[STARTED],
              c[FINISHED],
              c[FAILED],
              c[TOKENS],
              inFlight,
              ttft == null ? Double.NaN : ttft.median()));
    }
    return intervals;
  }
}
