package dev.servebench.run;

import java.util.Arrays;
import java.util.Locale;

/**
 * Whether a step of a sweep saturated the server, by three tests over the step's own figures
 * (docs/metrics.md, Sweep): the server completed requests more slowly than they were sent, the
 * queue-inclusive TTFT grew from the start of the step to its end, or too many requests failed. A
 * closed loop has no rate to fall behind; there, more concurrency that brought no more throughput
 * is the sign.
 *
 * <p>Pure functions of {@link StepFigures}: the sweep computes those from the step's summary and
 * records file, and the tests from synthetic ones.
 */
public final class Saturation {

  /** Fewest samples for the TTFT growth test: it compares the first and last third's medians. */
  static final int MIN_GROWTH_SAMPLES = 9;

  /** What each test tolerates. */
  public enum Reason {
    RATE("rate"),
    TTFT_GROWTH("ttft_growth"),
    FAILURES("failures"),
    NO_GAIN("no_gain");

    private final String key;

    Reason(String key) {
      this.key = key;
    }

    /** The name in sweep.json. */
    public String key() {
      return key;
    }
  }

  /**
   * @param rateShortfall a rate step saturates when its completion rate is below {@code 1 -
   *     rateShortfall} of its send rate
   * @param ttftGrowth a rate step saturates when the median queue-inclusive TTFT of its last third
   *     of requests (by intended send time) is more than {@code 1 + ttftGrowth} times its first
   *     third's
   * @param failureShare any step saturates when more than this share of its requests failed
   * @param minGain a concurrency step saturates when its request throughput is below {@code 1 +
   *     minGain} times the previous concurrency step's
   */
  public record Limits(
      double rateShortfall, double ttftGrowth, double failureShare, double minGain) {

    /** The defaults documented in docs/metrics.md. */
    public static final Limits DEFAULT = new Limits(0.10, 1.0, 0.05, 0.05);
  }

  /**
   * A step's figures that the tests read.
   *
   * @param sendRatePerSecond the achieved send rate: (requests - 1) / (last send - first send)
   * @param completionRatePerSecond (successes - 1) / (last success's end - first success's end):
   *     the rate the server finished requests at once it was busy, free of the run's start and
   *     drain
   * @param requestThroughputPerSecond the summary's request throughput
   * @param queueInclusiveTtftNanos each successful request's queue-inclusive TTFT (queue-inclusive
   *     E2E where the response was not streamed), in order of intended send time
   */
  public record StepFigures(
      SweepStep step,
      double sendRatePerSecond,
      double completionRatePerSecond,
      double requestThroughputPerSecond,
      long requests,
      long failed,
      long[] queueInclusiveTtftNanos) {}

  /** A saturated step: which test said so, and the figures it read, in words. */
  public record Verdict(Reason reason, String detail) {}

  private Saturation() {}

  /**
   * The first test that finds {@code step} saturated, or {@code null}. {@code previous} is the step
   * before it, or {@code null}; only a concurrency step after another reads it. The throughput step
   * is judged by its failures alone: sending everything at once queues by design.
   */
  public static Verdict judge(StepFigures step, StepFigures previous, Limits limits) {
    if (step.requests() > 0 && step.failed() > limits.failureShare() * step.requests()) {
      return new Verdict(
          Reason.FAILURES,
          String.format(
              Locale.ROOT,
              "%d of %d requests failed (%.1f %%, limit %.1f %%)",
              step.failed(),
              step.requests(),
              100.0 * step.failed() / step.requests(),
              100 * limits.failureShare()));
    }
    switch (step.step().kind()) {
      case RATE -> {
        double sent = step.sendRatePerSecond();
        double done = step.completionRatePerSecond();
        if (Double.isFinite(sent)
            && Double.isFinite(done)
            && done < (1 - limits.rateShortfall()) * sent) {
          return new Verdict(
              Reason.RATE,
              String.format(
                  Locale.ROOT,
                  "completed %.2f req/s of the %.2f sent (below %.0f %%)",
                  done,
                  sent,
                  100 * (1 - limits.rateShortfall())));
        }
        double[] thirds = thirdMedians(step.queueInclusiveTtftNanos());
        if (thirds != null && thirds[1] > (1 + limits.ttftGrowth()) * thirds[0]) {
          return new Verdict(
              Reason.TTFT_GROWTH,
              String.format(
                  Locale.ROOT,
                  "queue-inclusive TTFT grew through the step: median %.1f ms in its first third,"
                      + " %.1f ms in its last",
                  thirds[0] / 1e6,
                  thirds[1] / 1e6));
        }
      }
      case CONCURRENCY -> {
        if (previous != null
            && previous.step().kind() == SweepStep.Kind.CONCURRENCY
            && previous.step().concurrency() < step.step().concurrency()
            && step.requestThroughputPerSecond()
                < (1 + limits.minGain()) * previous.requestThroughputPerSecond()) {
          return new Verdict(
              Reason.NO_GAIN,
              String.format(
                  Locale.ROOT,
                  "concurrency %d brought %.2f req/s, no more than concurrency %d's %.2f (under"
                      + " +%.0f %%)",
                  step.step().concurrency(),
                  step.requestThroughputPerSecond(),
                  previous.step().concurrency(),
                  previous.requestThroughputPerSecond(),
                  100 * limits.minGain()));
        }
      }
      default -> {}
    }
    return null;
  }

  /**
   * The medians of the first and the last third of {@code samples} (in send order), or {@code null}
   * with fewer than {@link #MIN_GROWTH_SAMPLES}: a third of fewer than three says nothing.
   */
  static double[] thirdMedians(long[] samples) {
    if (samples.length < MIN_GROWTH_SAMPLES) {
      return null;
    }
    int third = samples.length / 3;
    return new double[] {
      median(Arrays.copyOfRange(samples, 0, third)),
      median(Arrays.copyOfRange(samples, samples.length - third, samples.length))
    };
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1
        ? sorted[middle]
        : (sorted[middle - 1] + (double) sorted[middle]) / 2;
  }
}
