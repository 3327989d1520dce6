package dev.servebench.schedule;

/** {@code --request-rate inf}: every request is due at the start of the run. */
public record AllAtOnceSchedule() implements ArrivalSchedule {

  @Override
  public long[] intendedOffsetsNanos(int requestCount) {
    return new long[requestCount];
  }

  @Override
  public double ratePerSecond() {
    return Double.POSITIVE_INFINITY;
  }
}
