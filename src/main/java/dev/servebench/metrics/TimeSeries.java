package dev.servebench.metrics;

import dev.servebench.record.RequestRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-second figures over the run (seconds since its start): requests started, finished and failed,
 * tokens that arrived, requests in flight, and the median and p99 of TTFT, ITL and schedule lag in
 * each second. Memory grows with the run's length in seconds, not with its requests: each second
 * keeps its counts and six streaming quantiles of five numbers each.
 */
final class TimeSeries {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final List<Second> seconds = new ArrayList<>();

  /** One second's counts and quantiles, the quantiles made on their first sample. */
  private static final class Second {
    long started;
    long finished;
    long failed;
    long tokens;
    final Quantiles ttft = new Quantiles();
    final Quantiles itl = new Quantiles();
    final Quantiles scheduleLag = new Quantiles();
  }

  /** A median and a p99, created on the first sample so that idle seconds cost nothing. */
  private static final class Quantiles {
    private StreamingQuantile p50;
    private StreamingQuantile p99;

    void add(double nanos) {
      if (p50 == null) {
        p50 = new StreamingQuantile(0.5);
        p99 = new StreamingQuantile(0.99);
      }
      p50.add(nanos);
      p99.add(nanos);
    }

    double p50() {
      return p50 == null ? Double.NaN : p50.value();
    }

    double p99() {
      return p99 == null ? Double.NaN : p99.value();
    }
  }

  void add(RequestRecord record) {
    if (record.stamps().sentNanos() != RequestRecord.ABSENT) {
      Second sent = at(record.stamps().sentNanos());
      sent.started++;
      long ttftNanos = record.ttftNanos();
      if (record.succeeded() && record.streamed() && ttftNanos != RequestRecord.ABSENT) {
        sent.ttft.add(ttftNanos);
      }
    }
    if (record.stamps().firstSentNanos() != RequestRecord.ABSENT) {
      at(record.stamps().firstSentNanos()).scheduleLag.add(record.scheduleLagNanos());
    }
    if (record.stamps().endNanos() != RequestRecord.ABSENT) {
      Second end = at(record.stamps().endNanos());
      if (record.succeeded()) {
        end.finished++;
      } else {
        end.failed++;
      }
    }
    if (!record.succeeded()) {
      return;
    }
    long[] chunks = record.chunks().nanos();
    if (chunks.length == 0) {
      at(record.stamps().endNanos()).tokens += record.tokens().output();
      return;
    }
    for (int i = 0; i < chunks.length; i++) {
      Second arrived = at(chunks[i]);
      arrived.tokens += record.chunks().tokens()[i];
      if (i > 0 && record.streamed()) {
        // A gap belongs to the second its later chunk arrived in: when the reader waited for it.
        arrived.itl.add(chunks[i] - chunks[i - 1]);
      }
    }
  }

  private Second at(long nanos) {
    int second = (int) Math.max(0, nanos / NANOS_PER_SECOND);
    while (seconds.size() <= second) {
      seconds.add(new Second());
    }
    return seconds.get(second);
  }

  List<Summary.Interval> intervals() {
    List<Summary.Interval> intervals = new ArrayList<>(seconds.size());
    long inFlight = 0;
    for (int index = 0; index < seconds.size(); index++) {
      Second second = seconds.get(index);
      inFlight += second.started - second.finished - second.failed;
      intervals.add(
          new Summary.Interval(
              index,
              second.started,
              second.finished,
              second.failed,
              second.tokens,
              inFlight,
              new Summary.SecondLatencies(
                  second.ttft.p50(),
                  second.ttft.p99(),
                  second.itl.p50(),
                  second.itl.p99(),
                  second.scheduleLag.p50(),
                  second.scheduleLag.p99())));
    }
    return intervals;
  }
}
