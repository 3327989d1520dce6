package dev.servebench.run;

import java.util.Locale;

/**
 * The load of one step of a sweep: one run at concurrency 1, all at once, an open-loop rate, or a
 * closed loop of a fixed concurrency. Every other setting is the sweep's own, the same at every
 * step.
 *
 * @param ratePerSecond the open-loop rate of a {@link Kind#RATE} step; infinite otherwise
 * @param concurrency the closed loop of a {@link Kind#SYNCHRONOUS} (1) or {@link Kind#CONCURRENCY}
 *     step; 0 otherwise
 */
public record SweepStep(Kind kind, double ratePerSecond, int concurrency) {

  /** How a step offers its load. */
  public enum Kind {
    /** One request at a time: the server's unloaded latency and its slowest throughput. */
    SYNCHRONOUS,
    /** Every request at once: as many as the server takes, its most throughput. */
    THROUGHPUT,
    /** An open loop at a fixed rate. */
    RATE,
    /** A closed loop keeping a fixed number of requests in flight. */
    CONCURRENCY
  }

  public SweepStep {
    if (kind == Kind.RATE && !(ratePerSecond > 0 && Double.isFinite(ratePerSecond))) {
      throw new IllegalArgumentException("a rate step needs a finite positive rate");
    }
    if (kind == Kind.CONCURRENCY && concurrency < 1) {
      throw new IllegalArgumentException("a concurrency step needs a concurrency of 1 or more");
    }
  }

  public static SweepStep synchronous() {
    return new SweepStep(Kind.SYNCHRONOUS, Double.POSITIVE_INFINITY, 1);
  }

  public static SweepStep throughput() {
    return new SweepStep(Kind.THROUGHPUT, Double.POSITIVE_INFINITY, 0);
  }

  public static SweepStep rate(double ratePerSecond) {
    return new SweepStep(Kind.RATE, ratePerSecond, 0);
  }

  public static SweepStep concurrency(int concurrency) {
    return new SweepStep(Kind.CONCURRENCY, Double.POSITIVE_INFINITY, concurrency);
  }

  /** What the step offers, as the table shows it: {@code rate 2.5/s}, {@code concurrency 8}. */
  public String label() {
    return switch (kind) {
      case SYNCHRONOUS -> "synchronous";
      case THROUGHPUT -> "throughput";
      case RATE -> "rate " + number(ratePerSecond) + "/s";
      case CONCURRENCY -> "concurrency " + concurrency;
    };
  }

  /** The step's directory name in the sweep directory: its number, then what it offers. */
  public String directoryName(String prefix, int number) {
    String what =
        switch (kind) {
          case SYNCHRONOUS -> "synchronous";
          case THROUGHPUT -> "throughput";
          case RATE -> "rate-" + number(ratePerSecond);
          case CONCURRENCY -> "concurrency-" + concurrency;
        };
    return String.format(Locale.ROOT, "%s%02d-%s", prefix, number, what);
  }

  /**
   * {@code base} with this step's load: its rate or closed loop replaces the sweep's. The
   * throughput step keeps a {@code --max-concurrency} cap, and so does a rate step; a closed loop
   * has none. No warm-up: the sweep warms the server up once, before its first step ({@link
   * #warmUp}), so that every step sends the same prompts in the same order.
   */
  public RunConfig.Load applyTo(RunConfig.Load base) {
    return load(base, base.durationNanos());
  }

  /**
   * The sweep's warm-up run at this step's load: its measured requests are {@code base}'s warm-up
   * requests (the prompt count the sweep gives it), or, with a warm-up span, all it sends in that
   * span.
   */
  public RunConfig.Load warmUp(RunConfig.Load base) {
    return load(base, base.warmupNanos() > 0 ? base.warmupNanos() : -1);
  }

  private RunConfig.Load load(RunConfig.Load base, long durationNanos) {
    boolean closed = kind == Kind.SYNCHRONOUS || kind == Kind.CONCURRENCY;
    return new RunConfig.Load(
        closed ? Double.POSITIVE_INFINITY : ratePerSecond,
        base.arrival(),
        base.burstiness(),
        RunConfig.RampUp.NONE,
        closed ? concurrency : 0,
        closed ? 0 : base.maxConcurrency(),
        durationNanos,
        0,
        0,
        base.drain(),
        null,
        base.multiTurn());
  }

  /** A rate as the table and the file names write it: at most three decimals, no trailing 0. */
  static String number(double value) {
    String text = String.format(Locale.ROOT, "%.3f", value);
    text = text.replaceAll("0+$", "");
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }
}
