package dev.servebench.cli;

import dev.servebench.engine.RunControl;
import dev.servebench.error.InvalidInputException;
import dev.servebench.report.LiveLog;
import dev.servebench.run.RunConfig;
import dev.servebench.run.Saturation;
import dev.servebench.run.SloSearch;
import dev.servebench.run.Sweep;
import dev.servebench.run.SweepPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code servebench sweep}: a run per step at rising load, or an SLO search. Takes every flag of
 * {@code run} (the same {@link RunCommand}, mixed in) but those that set the load, which each step
 * sets.
 */
@Command(
    name = "sweep",
    sortOptions = false,
    showDefaultValues = true,
    abbreviateSynopsis = true,
    description = {
      "Runs the benchmark at several loads, one whole run per step, and tabulates them; or, with"
          + " --goodput and --target, searches for the largest load that meets the objectives.",
      "Every flag of 'servebench run' applies to each step, but --request-rate, --concurrency and"
          + " the ramps: the steps set the load.",
      ""
    })
final class SweepCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--profile",
      description =
          "synchronous (one request at a time), throughput (all at once), or sweep: those two, then"
              + " --steps rates spaced evenly between their throughputs. Default: sweep.")
  String profile;

  @Option(
      names = "--rates",
      split = ",",
      paramLabel = "RATE",
      description =
          "Steps at these open-loop rates, in req/s, e.g. --rates 1,2,5,10; run in ascending"
              + " order, each rate once.")
  List<String> rates;

  @Option(
      names = "--concurrencies",
      split = ",",
      paramLabel = "N",
      description =
          "Steps of these closed loops, e.g. --concurrencies 1,8,32,128; run in ascending order,"
              + " each once.")
  List<Integer> concurrencies;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "--profile sweep: rates after the synchronous and throughput steps. Default: 8.")
  Integer ratesBetween;

  @Option(
      names = "--no-early-stop",
      description =
          "Run every step, even after one saturated the server (by default the sweep stops there).")
  Boolean noEarlyStop;

  @Option(
      names = "--failure-limit",
      paramLabel = "PCT",
      description =
          "A step with more failed requests than this share saturated the server. Default: 5%%.")
  String failureLimit;

  @Option(
      names = "--target",
      paramLabel = "PCT",
      description =
          "SLO search: the share of requests that must meet every --goodput objective, e.g. 95%%;"
              + " finds the largest rate (or --search concurrency) that does.")
  String target;

  @Option(
      names = "--search",
      description = "With --target: what to search over, rate or concurrency. Default: rate.")
  String search;

  @Option(
      names = "--search-start",
      description = "With --target: the first load probed (req/s, or a concurrency). Default: 1.")
  Double searchStart;

  @Option(
      names = "--resolution",
      paramLabel = "PCT",
      description =
          "With --target: stop once the least failed load is within this share above the largest"
              + " passed one. Default: 5%%.")
  String resolution;

  @Option(
      names = "--repeats",
      description =
          "With --target: most runs of a load whose share lands near the target, judged by their"
              + " median. Default: 3.")
  Integer repeats;

  @Mixin RunCommand run;

  @Override
  public Integer call() throws Exception {
    Sweep.Settings settings = settings();
    RunConfig base = run.toConfig();
    RunControl control = new RunControl();
    LiveLog log = LiveLog.over(spec.commandLine().getErr());
    try (Interrupts interrupts = Interrupts.install(control, log)) {
      return Sweep.execute(base, settings, control, spec.commandLine().getOut(), log).exitCode();
    }
  }

  /** The sweep's settings, every contradiction refused with the flags named. */
  Sweep.Settings settings() {
    if (run.requestRate != null || run.concurrency != 0) {
      throw new InvalidInputException(
          "sweep sets each step's load: drop --request-rate and --concurrency, and give --rates,"
              + " --concurrencies or --profile instead");
    }
    if (run.rampUp != null || run.rampUpStrategy != null) {
      throw new InvalidInputException(
          "sweep runs each step at one load: drop --ramp-up and --ramp-up-strategy");
    }
    if (run.traceTimeScale != null) {
      throw new InvalidInputException(
          "sweep sets each step's rate, and --trace-time-scale replays a trace at its own times:"
              + " drop --trace-time-scale (the trace's rows are then the prompts)");
    }
    if (run.shard != null || run.startAt != null || run.processes != null) {
      throw new InvalidInputException(
          "--shard, --start-at and --processes split one run over processes; a sweep runs its"
              + " steps one after another in this process: drop them");
    }
    if (run.saveResult || run.appendResult) {
      throw new InvalidInputException(
          "--save-result and --append-result write vLLM's file for one run: a sweep writes"
              + " sweep.json and each step's summary into --results-dir instead");
    }
    if (run.resultsDir == null) {
      throw new InvalidInputException(
          "sweep keeps every step's records, which its saturation tests read: add --results-dir"
              + " DIR (a new directory for this sweep)");
    }
    if (rates != null && concurrencies != null) {
      throw new InvalidInputException(
          "--rates (open-loop steps) and --concurrencies (closed-loop steps) contradict each other:"
              + " give one of them");
    }
    if (profile != null && (rates != null || concurrencies != null)) {
      throw new InvalidInputException(
          "--profile chooses the steps, and so do --rates and --concurrencies: give one of them");
    }
    if (ratesBetween != null && ratesBetween < 1) {
      throw new InvalidInputException("--steps must be 1 or more, got " + ratesBetween);
    }
    Sweep.Search slo = search();
    if (slo != null && (profile != null || rates != null || concurrencies != null)) {
      throw new InvalidInputException(
          "--target searches for its loads itself: drop --profile, --rates and --concurrencies"
              + " (--search rate or concurrency chooses what it varies)");
    }
    // Flags that would change nothing are refused rather than silently ignored.
    if (slo != null && (ratesBetween != null || noEarlyStop != null || failureLimit != null)) {
      throw new InvalidInputException(
          "--steps, --no-early-stop and --failure-limit shape a profile's steps and its early"
              + " stop; --target searches its loads and never stops early: drop them");
    }
    SweepPlan.Profile chosen =
        rates != null
            ? SweepPlan.Profile.RATES
            : concurrencies != null
                ? SweepPlan.Profile.CONCURRENCIES
                : SweepPlan.Profile.parse(profile == null ? "sweep" : profile);
    if (slo == null && ratesBetween != null && chosen != SweepPlan.Profile.SWEEP) {
      throw new InvalidInputException(
          "--steps places rates after --profile sweep's synchronous and throughput steps, and"
              + " this sweep is --"
              + (chosen == SweepPlan.Profile.RATES
                  ? "rates"
                  : chosen == SweepPlan.Profile.CONCURRENCIES
                      ? "concurrencies"
                      : "profile " + chosen.flagValue())
              + ": drop --steps");
    }
    Saturation.Limits limits =
        new Saturation.Limits(
            Saturation.Limits.DEFAULT.rateShortfall(),
            Saturation.Limits.DEFAULT.ttftGrowth(),
            percent("--failure-limit", failureLimit == null ? "5%" : failureLimit, true, 100),
            Saturation.Limits.DEFAULT.minGain());
    return new Sweep.Settings(
        chosen,
        rates == null ? List.of() : parseRates(rates),
        concurrencies == null ? List.of() : checkConcurrencies(concurrencies),
        ratesBetween == null ? 8 : ratesBetween,
        limits,
        noEarlyStop == null || !noEarlyStop,
        slo,
        run.resultsDir);
  }

  /** The SLO search of {@code --target}, or {@code null}; its knobs without it are refused. */
  private Sweep.Search search() {
    if (target == null) {
      if (search != null || searchStart != null || resolution != null || repeats != null) {
        throw new InvalidInputException(
            "--search, --search-start, --resolution and --repeats shape the SLO search: add"
                + " --target PCT (with --goodput), or drop them");
      }
      return null;
    }
    if (run.goodput.isEmpty()) {
      throw new InvalidInputException(
          "--target is the share of requests meeting the --goodput objectives: add --goodput"
              + " (e.g. --goodput ttft:500 tpot:50)");
    }
    double share = percent("--target", target, false, 100);
    boolean concurrency;
    switch (search == null ? "rate" : search.strip().toLowerCase(Locale.ROOT)) {
      case "rate" -> concurrency = false;
      case "concurrency" -> concurrency = true;
      default ->
          throw new InvalidInputException(
              "--search '" + search + "': use rate (open loop) or concurrency (closed loop)");
    }
    double start = searchStart == null ? 1 : searchStart;
    if (!(start > 0) || Double.isInfinite(start) || (concurrency && start != Math.rint(start))) {
      throw new InvalidInputException(
          "--search-start must be a positive "
              + (concurrency ? "whole number (a concurrency)" : "number of requests per second")
              + ", got "
              + searchStart);
    }
    double step = percent("--resolution", resolution == null ? "5%" : resolution, false, 100);
    int most = repeats == null ? 3 : repeats;
    if (most < 1) {
      throw new InvalidInputException("--repeats must be 1 (never repeat) or more, got " + repeats);
    }
    return new Sweep.Search(
        concurrency, new SloSearch.Settings(share, start, step, most, concurrency));
  }

  /**
   * A share given in percent, {@code 95%} or {@code 95}, as a fraction: in (0, {@code most}] %, or
   * [0, {@code most}] % when {@code zeroAllowed}.
   */
  static double percent(String flag, String text, boolean zeroAllowed, double most) {
    String number = text.strip();
    if (number.endsWith("%")) {
      number = number.substring(0, number.length() - 1).strip();
    }
    double value;
    try {
      value = Double.parseDouble(number);
    } catch (NumberFormatException notNumber) {
      value = Double.NaN;
    }
    if (!(zeroAllowed ? value >= 0 : value > 0) || !(value <= most)) {
      throw new InvalidInputException(
          flag
              + " '"
              + text
              + "' must be a percentage in "
              + (zeroAllowed ? "[0, " : "(0, ")
              + (most == Math.rint(most) ? String.valueOf((long) most) : String.valueOf(most))
              + "], e.g. 95%");
    }
    return value / 100;
  }

  /**
   * The rates, ascending: early stop assumes each step loads the server more than the one before,
   * so the list is sorted whatever order it was given in, and a rate given twice is refused.
   */
  static List<Double> parseRates(List<String> texts) {
    List<Double> parsed = new ArrayList<>();
    for (String text : texts) {
      double rate;
      try {
        rate = Double.parseDouble(text.strip());
      } catch (NumberFormatException notNumber) {
        rate = Double.NaN;
      }
      if (!(rate > 0) || Double.isInfinite(rate)) {
        throw new InvalidInputException(
            "--rates '"
                + text
                + "' is not a positive number of requests per second (e.g. --rates 1,2,5,10;"
                + " --profile throughput sends all at once)");
      }
      if (parsed.contains(rate)) {
        throw new InvalidInputException(
            "--rates gives " + text.strip() + " twice: give each rate once");
      }
      parsed.add(rate);
    }
    return parsed.stream().sorted().toList();
  }

  /** The concurrencies, ascending and each once, for the same reason as {@link #parseRates}. */
  static List<Integer> checkConcurrencies(List<Integer> values) {
    List<Integer> checked = new ArrayList<>();
    for (int value : values) {
      if (value < 1) {
        throw new InvalidInputException(
            "--concurrencies takes closed loops of 1 or more requests (e.g. 1,8,32), got " + value);
      }
      if (checked.contains(value)) {
        throw new InvalidInputException(
            "--concurrencies gives " + value + " twice: give each concurrency once");
      }
      checked.add(value);
    }
    return checked.stream().sorted().toList();
  }
}
