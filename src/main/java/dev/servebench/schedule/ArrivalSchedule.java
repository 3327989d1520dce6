package dev.servebench.schedule;

/**
 * When each request of a run should be sent: a pure plan, computed before the first request, so a
 * slow response can never delay a later send (open loop). The runner stamps each request with its
 * planned time and reports how late it actually sent it.
 */
public sealed interface ArrivalSchedule permits AllAtOnceSchedule, PoissonSchedule {

  /**
   * The intended send time of each of {@code requestCount} requests, in nanoseconds after the start
   * of the run; non-decreasing, the first at 0. The same schedule always returns the same plan.
   */
  long[] intendedOffsetsNanos(int requestCount);

  /** The configured mean rate in requests per second; infinite for {@link AllAtOnceSchedule}. */
  double ratePerSecond();

  /**
   * The schedule for {@code --request-rate}: Poisson arrivals at that mean rate, or every request at
   * once when the rate is infinite.
   */
  static ArrivalSchedule forRate(double ratePerSecond, long seed) {
    if (Double.isInfinite(ratePerSecond)) {
      return new AllAtOnceSchedule();
    }
    return new PoissonSchedule(ratePerSecond, seed);
  }
}
