package dev.servebench.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The largest load (a request rate, or a concurrency) at which at least a target share of requests
 * meets every service-level objective: doubling (or halving) from a start until one probe passes
 * and another fails, then bisection between them until they are within the resolution of each other
 * (docs/metrics.md, SLO search).
 *
 * <p>A probe whose share lies near the target (within {@link #margin} of it) could have fallen
 * either side by chance: it is measured again, up to {@code repeats} times in all, and judged by
 * the median of its shares. Assumes the share falls as the load rises; where it does not, the
 * answer is still a load that passed, with a failed one above it.
 */
public final class SloSearch {

  /** Doublings from the start before the search gives up looking for a failing load. */
  static final int MAX_DOUBLINGS = 16;

  /**
   * Halvings from the start before the search gives up looking for a passing load: each halving
   * doubles a rate probe's length, and a server that misses the objectives at a sixteenth of the
   * start misses them unloaded.
   */
  static final int MAX_HALVINGS = 4;

  /** The smallest margin around the target, so a target of 100 % still repeats a near miss. */
  static final double MIN_MARGIN = 0.01;

  /**
   * @param targetShare the share of requests that must meet every objective, in (0, 1]
   * @param start the first load probed
   * @param resolution bisection stops once the failed load is at most {@code 1 + resolution} times
   *     the passed one (for a concurrency: also once they are 1 apart)
   * @param repeats most measurements of one load near the target, 1 for no repeats
   * @param integral the load is a concurrency: whole numbers, 1 the least
   */
  public record Settings(
      double targetShare, double start, double resolution, int repeats, boolean integral) {

    public Settings {
      if (!(targetShare > 0 && targetShare <= 1)) {
        throw new IllegalArgumentException("target share must be in (0, 1], got " + targetShare);
      }
      if (!(start > 0) || Double.isInfinite(start) || (integral && start != Math.rint(start))) {
        throw new IllegalArgumentException("bad start " + start);
      }
      if (!(resolution > 0)) {
        throw new IllegalArgumentException("resolution must be positive, got " + resolution);
      }
      if (repeats < 1) {
        throw new IllegalArgumentException("repeats must be 1 or more, got " + repeats);
      }
    }
  }

  /** One run at a load: the share of its requests that met every objective, and their count. */
  public record Measurement(double share, long requests) {}

  /** Runs the servers' load; the search calls it once per measurement. */
  @FunctionalInterface
  public interface Probe {
    /** Measures {@code load}; {@code attempt} is 1 for its first measurement, 2 for a repeat. */
    Measurement measure(double load, int attempt) throws Exception;
  }

  /** How one measurement was read. */
  public enum Judgement {
    PASS,
    FAIL,
    /** Near the target: measured again before it is judged. */
    NEAR
  }

  /**
   * One measurement, in the order made.
   *
   * @param judgement {@code NEAR} when the load was measured again after this; otherwise the load's
   *     verdict, from the median share of its measurements so far
   */
  public record ProbeResult(
      int number, double load, int attempt, double share, long requests, Judgement judgement) {}

  /** How the search ended. */
  public enum Outcome {
    /** A passed load with a failed one within the resolution above it. */
    FOUND,
    /** Every load probed failed, down to the least tried. */
    NONE_PASSED,
    /** Every load probed passed, up to the most tried. */
    NO_UPPER_BOUND,
    /** The probe callback asked to stop (an interrupted run). */
    STOPPED
  }

  /**
   * @param passed the largest load that passed, NaN when none did
   * @param failed the least load that failed above it, NaN when none did
   */
  public record Result(Outcome outcome, double passed, double failed, List<ProbeResult> probes) {}

  /** Thrown by a probe to end the search where it is (Ctrl-C): the result says STOPPED. */
  public static final class Stopped extends Exception {
    public Stopped() {
      super("the search was stopped", null, false, false);
    }
  }

  private final Settings settings;
  private final Probe probe;
  private final List<ProbeResult> probes = new ArrayList<>();

  private SloSearch(Settings settings, Probe probe) {
    this.settings = settings;
    this.probe = probe;
  }

  /** Runs the search; {@code probe} is called for each measurement, in order. */
  public static Result run(Settings settings, Probe probe) throws Exception {
    return new SloSearch(settings, probe).search();
  }

  /**
   * How far from the target a share may lie and still be noise: twice the binomial standard error
   * of a share of {@code requests} at the target, {@code 2 sqrt(t (1 - t) / n)}, at least {@link
   * #MIN_MARGIN}.
   */
  public static double margin(double targetShare, long requests) {
    if (requests <= 0) {
      return MIN_MARGIN;
    }
    return Math.max(MIN_MARGIN, 2 * Math.sqrt(targetShare * (1 - targetShare) / (double) requests));
  }

  private Result search() throws Exception {
    double passed = Double.NaN;
    double failed = Double.NaN;
    try {
      double load = settings.start();
      if (passes(load)) {
        passed = load;
        for (int step = 0; step < MAX_DOUBLINGS && Double.isNaN(failed); step++) {
          load *= 2;
          if (passes(load)) {
            passed = load;
          } else {
            failed = load;
          }
        }
        if (Double.isNaN(failed)) {
          return result(Outcome.NO_UPPER_BOUND, passed, failed);
        }
      } else {
        failed = load;
        double least = settings.integral() ? 1 : settings.start() / (1 << MAX_HALVINGS);
        while (Double.isNaN(passed)) {
          load = settings.integral() ? Math.floor(load / 2) : load / 2;
          if (load < least) {
            return result(Outcome.NONE_PASSED, passed, failed);
          }
          if (passes(load)) {
            passed = load;
          } else {
            failed = load;
          }
        }
      }
      while (!resolved(passed, failed)) {
        double middle =
            settings.integral()
                ? Math.floor((passed + failed) / 2)
                : Math.sqrt(passed * failed); // the bracket is a ratio: halve it as one
        if (passes(middle)) {
          passed = middle;
        } else {
          failed = middle;
        }
      }
      return result(Outcome.FOUND, passed, failed);
    } catch (Stopped stopped) {
      return result(Outcome.STOPPED, passed, failed);
    }
  }

  private boolean resolved(double passed, double failed) {
    if (settings.integral() && failed - passed <= 1) {
      return true;
    }
    return failed <= passed * (1 + settings.resolution());
  }

  /** Measures {@code load}, again while its median share stays near the target. */
  private boolean passes(double load) throws Exception {
    double target = settings.targetShare();
    double[] shares = new double[settings.repeats()];
    for (int attempt = 1; ; attempt++) {
      Measurement measured = probe.measure(load, attempt);
      shares[attempt - 1] = measured.share();
      double median = median(Arrays.copyOf(shares, attempt));
      boolean near = Math.abs(median - target) < margin(target, measured.requests());
      boolean last = !near || attempt == settings.repeats();
      boolean pass = median >= target;
      probes.add(
          new ProbeResult(
              probes.size() + 1,
              load,
              attempt,
              measured.share(),
              measured.requests(),
              !last ? Judgement.NEAR : pass ? Judgement.PASS : Judgement.FAIL));
      if (last) {
        return pass;
      }
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  private Result result(Outcome outcome, double passed, double failed) {
    return new Result(outcome, passed, failed, List.copyOf(probes));
  }
}
