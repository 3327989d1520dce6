package dev.servebench.schedule;

import dev.servebench.error.InvalidInputException;
import java.util.Objects;

/**
 * When each request of a run should be sent: a pure plan, a function of these settings and the
 * request's index only, so a slow response can never delay a later send (open loop) and the same
 * seed always gives the same plan. The runner stamps each request with its planned time and reports
 * how late it actually sent it.
 *
 * <p>The plan is built by time-warping. Gaps of unit mean are drawn from {@link #gaps()}, and their
 * running sum {@code u} counts the arrivals a unit-rate process would have had by then. The offset
 * of an arrival is the time {@code t} at which the configured rate curve expects as many: {@code t
 * = Λ⁻¹(u)}, where {@code Λ(t)} is the integral of the rate from the start of the run. For a
 * constant rate R that is simply {@code u / R}. With a ramp-up over T the rate rises linearly from
 * 0 to R, so {@code Λ(t) = R t² / 2T} during the ramp and {@code R T / 2 + R (t - T)} after it.
 * Warping keeps the gap distribution's shape in unit time while the counts in any interval follow
 * the rate curve, whatever the distribution (the standard way to make a non-homogeneous process
 * from a homogeneous one).
 *
 * <p>Worked example: at 2 requests per second with a 2 s ramp and constant gaps, {@code Λ(t) =
 * t²/2} up to 2 s, so requests are due at 0, √2 s, 2 s, 2.5 s, 3 s, ...
 *
 * @param ratePerSecond the target mean rate, {@code --request-rate}; infinite sends every request
 *     at once
 * @param gaps the shape of the gaps, {@code --arrival} and {@code --burstiness}
 * @param rampUpNanos the time over which the rate rises linearly from 0 to the target, {@code
 *     --ramp-up}; 0 for none
 * @param seed seeds the draws, {@code --seed}
 */
public record ArrivalSchedule(
    double ratePerSecond, GapDistribution gaps, long rampUpNanos, long seed) {

  private static final double NANOS_PER_SECOND = 1e9;

  /**
   * Checks the settings together.
   *
   * @throws InvalidInputException naming the flag when a setting is out of range or contradicts
   *     another
   */
  public ArrivalSchedule {
    Objects.requireNonNull(gaps, "gaps");
    if (!(ratePerSecond > 0)) {
      throw new InvalidInputException(
          "--request-rate must be a positive number of requests per second, or inf to send every"
              + " request at once; got "
              + ratePerSecond);
    }
    if (rampUpNanos < 0) {
      throw new InvalidInputException("--ramp-up must not be negative, got " + rampUpNanos + " ns");
    }
    if (rampUpNanos > 0 && Double.isInfinite(ratePerSecond)) {
      throw new InvalidInputException(
          "--ramp-up needs a finite --request-rate: there is no linear ramp up to inf");
    }
  }

  /** The plan from its start, offset by offset, without end. */
  public Pacer pacer() {
    return new Pacer(this, Pacer.UNBOUNDED);
  }

  /**
   * The plan for {@code --duration}: every offset before {@code durationNanos}, then no more. The
   * number of requests is known only when the pacer stops.
   *
   * @throws InvalidInputException when the duration is not positive, or the rate is infinite (an
   *     endless burst at offset 0)
   */
  public Pacer pacerUntil(long durationNanos) {
    if (durationNanos <= 0) {
      throw new InvalidInputException("--duration must be positive, got " + durationNanos + " ns");
    }
    if (Double.isInfinite(ratePerSecond)) {
      throw new InvalidInputException(
          "--duration needs a finite --request-rate: at inf every request is due at once, without"
              + " end; use --num-prompts instead");
    }
    return new Pacer(this, durationNanos);
  }

  /**
   * The offset at which the rate curve expects {@code expectedArrivals} arrivals: {@code Λ⁻¹(u)},
   * rounded to the nanosecond and saturating at {@link Long#MAX_VALUE}.
   */
  long offsetNanosAt(double expectedArrivals) {
    double rampSeconds = rampUpNanos / NANOS_PER_SECOND;
    double arrivalsDuringRamp = ratePerSecond * rampSeconds / 2;
    double offsetSeconds;
    if (expectedArrivals < arrivalsDuringRamp) {
      offsetSeconds = Math.sqrt(2 * rampSeconds * expectedArrivals / ratePerSecond);
    } else {
      // Also the whole story without a ramp: arrivalsDuringRamp and rampSeconds are then 0, and an
      // infinite rate puts every arrival at 0.
      offsetSeconds = rampSeconds + (expectedArrivals - arrivalsDuringRamp) / ratePerSecond;
    }
    return Math.round(offsetSeconds * NANOS_PER_SECOND);
  }
}
