package dev.servebench.run;

import dev.servebench.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which steps a sweep runs. A profile's first steps are known before it starts; the {@link
 * Profile#SWEEP} profile's rates are placed once its synchronous and throughput steps have measured
 * the two ends of the server's range.
 */
public final class SweepPlan {

  /** The shape of a sweep ({@code --profile}). */
  public enum Profile {
    /** One step, one request at a time. */
    SYNCHRONOUS,
    /** One step, every request at once. */
    THROUGHPUT,
    /** Synchronous, then throughput, then rates spaced evenly between their throughputs. */
    SWEEP,
    /** The rates of {@code --rates}, ascending (the command sorts them). */
    RATES,
    /** The closed loops of {@code --concurrencies}, ascending (the command sorts them). */
    CONCURRENCIES;

    public String flagValue() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** {@code --profile}'s value; the explicit lists choose their profiles by their own flags. */
    public static Profile parse(String value) {
      return switch (value.strip().toLowerCase(Locale.ROOT)) {
        case "synchronous" -> SYNCHRONOUS;
        case "throughput" -> THROUGHPUT;
        case "sweep" -> SWEEP;
        default ->
            throw new InvalidInputException(
                "--profile '"
                    + value
                    + "': use synchronous, throughput or sweep (or give --rates or"
                    + " --concurrencies instead)");
      };
    }
  }

  private SweepPlan() {}

  /** The steps known before the sweep runs. */
  public static List<SweepStep> firstSteps(
      Profile profile, List<Double> ratesPerSecond, List<Integer> concurrencies) {
    return switch (profile) {
      case SYNCHRONOUS -> List.of(SweepStep.synchronous());
      case THROUGHPUT -> List.of(SweepStep.throughput());
      case SWEEP -> List.of(SweepStep.synchronous(), SweepStep.throughput());
      case RATES -> ratesPerSecond.stream().map(SweepStep::rate).toList();
      case CONCURRENCIES -> concurrencies.stream().map(SweepStep::concurrency).toList();
    };
  }

  /**
   * {@code count} rates spaced evenly above {@code lowPerSecond} up to {@code highPerSecond}, the
   * last one {@code highPerSecond} itself: {@code low + i (high - low) / count} for {@code i = 1 ..
   * count}. The low end is left out, the synchronous step having measured it; the high end is kept,
   * to see whether the most the server took at once holds as a steady rate. Linear, not geometric:
   * the steps near saturation, where latency turns, are the ones worth as many points as the rest.
   * Empty when the range is empty ({@code high <= low}, or either not a finite positive number):
   * nothing lies between.
   */
  public static List<Double> ratesBetween(double lowPerSecond, double highPerSecond, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be 1 or more, got " + count);
    }
    if (!(lowPerSecond > 0 && highPerSecond > lowPerSecond) || Double.isInfinite(highPerSecond)) {
      return List.of();
    }
    List<Double> rates = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      rates.add(lowPerSecond + i * (highPerSecond - lowPerSecond) / count);
    }
    return List.copyOf(rates);
  }
}
