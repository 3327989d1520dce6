package dev.servebench.report;

import dev.servebench.engine.RunControl;
import dev.servebench.engine.RunProgress;
import dev.servebench.metrics.LiveMetrics;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * What a run is doing while it runs, on standard error: on a terminal one block redrawn in place
 * every {@link #BLOCK_PERIOD_NANOS} (elapsed time and ETA, requests sent, finished, failed and in
 * flight, request and output token rates and TTFT, ITL and schedule lag percentiles over the last
 * {@link #BLOCK_WINDOW_NANOS}); elsewhere (a pipe, a CI log) one plain line every {@code
 * lineIntervalNanos}. Warnings (a failure reason's first message, schedule lag, a prompt-count
 * mismatch, the runner's notices) are printed as they arise, above the block, where they stay. The
 * figures are defined in docs/metrics.md, "Live view".
 *
 * <p>It runs on a daemon thread of its own and reads only atomics and HdrHistogram interval
 * recorders ({@link LiveMetrics}, {@link RunProgress}): the runner's threads never wait for it, nor
 * for the terminal. {@link #close} clears the block, so the report that follows stands alone.
 */
public final class LiveView implements AutoCloseable {

  /** How the view shows itself. */
  public enum Mode {
    /** A block redrawn in place with ANSI cursor movements: stderr is a terminal. */
    BLOCK,
    /** A plain line now and then: stderr is a file or a pipe, or the terminal is dumb. */
    LINES,
    /** Nothing ({@code --quiet}). */
    OFF
  }

  /**
   * How the view shows itself.
   *
   * @param mode block, lines or nothing
   * @param lineIntervalNanos how often {@link Mode#LINES} prints a line, and the span its rates and
   *     percentiles cover
   */
  public record Settings(Mode mode, long lineIntervalNanos) {}

  /**
   * What the run is to do, for its progress and ETA.
   *
   * @param plannedRequests requests the run sends, warm-up included, or -1 when a duration bounds
   *     it
   * @param sendNanos how long the run sends (warm-up span and duration), or -1 when a count bounds
   *     it
   * @param hasSchedule whether requests have intended times the client can fall behind (not a
   *     closed loop, not everything due at once): only then is schedule lag worth a warning
   */
  public record Plan(long plannedRequests, long sendNanos, boolean hasSchedule) {}

  /** The run the view follows, once it has started. */
  private record Run(RunProgress progress, LiveMetrics metrics, Plan plan) {}

  /** How often the block is redrawn: fresh enough to watch, rare enough to cost nothing. */
  static final long BLOCK_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** The span of the block's rates and percentiles: a few seconds, so one slow request shows. */
  static final long BLOCK_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final int SIGNIFICANT_DIGITS = 3;
  private static final String UP = "\033[%dA";
  private static final String ERASE_DOWN = "\033[J";
  private static final String WRAP_OFF = "\033[?7l";
  private static final String WRAP_ON = "\033[?7h";

  private final Settings settings;
  private final RunControl control;
  private final LiveLog log;
  private final PrintWriter out;
  private final LongSupplier nanoClock;
  private final long periodNanos;
  private final int windowSlices;
  private final long createdNanos;
  private final Queue<String> messages;

  private volatile Run run;
  private volatile String preparing = "prompts, tokenizer, rehearsal of the request path";
  private ScheduledExecutorService ticker;

  // The view thread's own state (and the closing thread's, once the ticker has stopped).
  private final ArrayDeque<Slice> slices = new ArrayDeque<>();
  private final Histogram windowTtftNanos = new Histogram(SIGNIFICANT_DIGITS);
  private final Histogram windowItlNanos = new Histogram(SIGNIFICANT_DIGITS);
  private final Histogram windowLagNanos = new Histogram(SIGNIFICANT_DIGITS);
  private Mark windowStart;
  private LiveMetrics.Slice spare;
  private int drawnLines;
  private long nextLineNanos;
  private boolean lagWarned;
  private boolean closed;

  /** One interval's figures and when it ended. */
  private record Slice(long endNanos, LiveMetrics.Slice figures) {}

  /** The totals when the window begins. */
  private record Mark(long atNanos, long succeeded, long outputTokens) {}

  /**
   * A view that draws when {@link #tick} is called, reading {@code nanoClock}; {@link #start} runs
   * it on its own thread. Lines written to {@code log} go above the block from now until {@link
   * #close}.
   */
  LiveView(Settings settings, RunControl control, LiveLog log, LongSupplier nanoClock) {
    if (settings.mode() == Mode.OFF) {
      throw new IllegalArgumentException("a live view that shows nothing is not started");
    }
    this.settings = settings;
    this.control = control;
    this.log = log;
    this.out = log.target();
    this.nanoClock = nanoClock;
    boolean block = settings.mode() == Mode.BLOCK;
    this.periodNanos =
        block ? BLOCK_PERIOD_NANOS : Math.min(BLOCK_PERIOD_NANOS, settings.lineIntervalNanos());
    long windowNanos = block ? BLOCK_WINDOW_NANOS : settings.lineIntervalNanos();
    this.windowSlices = (int) Math.max(1, Math.round((double) windowNanos / periodNanos));
    this.createdNanos = nanoClock.getAsLong();
    this.nextLineNanos = createdNanos + settings.lineIntervalNanos();
    this.messages = log.attach();
  }

  /** Starts a view on its own daemon thread, drawing every half second. */
  public static LiveView start(Settings settings, RunControl control, LiveLog log) {
    LiveView view = new LiveView(settings, control, log, System::nanoTime);
    view.ticker =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "servebench-live");
              thread.setDaemon(true);
              return thread;
            });
    view.ticker.scheduleAtFixedRate(
        view::tickOrStop, view.periodNanos, view.periodNanos, TimeUnit.NANOSECONDS);
    return view;
  }

  /** What is being prepared before the run starts, shown until it does. */
  public void preparing(String what) {
    preparing = what;
  }

  /**
   * The run is about to send: its progress and the figures of its finished requests are read from
   * here on.
   */
  public void runStarted(RunProgress progress, LiveMetrics metrics, Plan plan) {
    this.run = new Run(progress, metrics, plan);
  }

  private void tickOrStop() {
    try {
      tick();
    } catch (RuntimeException broken) {
      // The run and its report do not depend on the view: it stops, and says so once.
      out.println("servebench: the live view stopped (" + broken + "); the run goes on");
      out.flush();
      drawnLines = 0;
      ticker.shutdown();
    }
  }

  /** Takes the interval's figures and draws: the block, or the line when one is due. */
  void tick() {
    long nowNanos = nanoClock.getAsLong();
    StringBuilder text = new StringBuilder();
    eraseBlock(text);
    Run current = waiting(nowNanos) == null ? started() : null;
    if (current != null) {
      sample(nowNanos, current);
    }
    appendMessages(text, current);
    if (settings.mode() == Mode.BLOCK) {
      List<String> lines = block(nowNanos);
      text.append(WRAP_OFF); // a line wider than the terminal is cut, never wrapped onto two
      for (String line : lines) {
        text.append(line).append('\n');
      }
      text.append(WRAP_ON);
      drawnLines = lines.size();
    } else if (nowNanos - nextLineNanos >= 0) {
      text.append(line(nowNanos)).append('\n');
      while (nowNanos - nextLineNanos >= 0) { // a late tick skips the lines it missed
        nextLineNanos += settings.lineIntervalNanos();
      }
    }
    if (!text.isEmpty()) {
      out.print(text);
      out.flush();
    }
  }

  /**
   * Stops the view: the block is erased and the warnings and messages still waiting are printed, so
   * whatever comes next (the report) starts on a clean line. Messages go straight to the log's
   * target again.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ticker != null) {
      ticker.shutdownNow();
      try {
        ticker.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    StringBuilder text = new StringBuilder();
    eraseBlock(text);
    drawnLines = 0;
    log.detach(
        () -> {
          appendMessages(text, null);
          if (!text.isEmpty()) {
            out.print(text);
            out.flush();
          }
        });
  }

  /** The run, once its plan has started; {@code null} before. */
  private Run started() {
    Run current = run;
    return current != null && current.progress().planStartNanos() != 0 ? current : null;
  }

  /**
   * While the run waits for a later start ({@code --start-at}): "waiting for the start at HH:MM:SS
   * (in N s)", the start in this machine's time zone; {@code null} when it does not wait (any
   * more).
   */
  private String waiting(long nowNanos) {
    Run current = run;
    long planStartNanos = current == null ? 0 : current.progress().planStartNanos();
    if (planStartNanos == 0 || planStartNanos - nowNanos <= 0) {
      return null;
    }
    long leftNanos = planStartNanos - nowNanos;
    LocalTime at =
        LocalTime.now(ZoneId.systemDefault())
            .plusNanos(leftNanos)
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return "waiting for the start at "
        + at.format(DateTimeFormatter.ISO_LOCAL_TIME)
        + " (in "
        + (leftNanos + 999_999_999L) / 1_000_000_000L
        + " s)";
  }

  private void eraseBlock(StringBuilder text) {
    if (drawnLines > 0) {
      text.append('\r').append(String.format(Locale.ROOT, UP, drawnLines)).append(ERASE_DOWN);
    }
  }

  /**
   * The runner's notices and the metrics' warnings, each on its own line; with {@code sampled}, the
   * run whose window was just taken, a schedule lag warning when it first arises.
   */
  private void appendMessages(StringBuilder text, Run sampled) {
    for (String message = messages.poll(); message != null; message = messages.poll()) {
      text.append(message).append('\n');
    }
    Run current = run;
    if (current != null) {
      LiveMetrics metrics = current.metrics();
      for (String warning = metrics.pollWarning();
          warning != null;
          warning = metrics.pollWarning()) {
        text.append("servebench: warning: ").append(warning).append('\n');
      }
    }
    // Over a whole window of the measurement only: the first moments of a fresh process and its
    // warm-up are late for reasons the measurement leaves behind.
    if (sampled != null
        && sampled.plan().hasSchedule()
        && !lagWarned
        && slices.size() == windowSlices
        && phase(sampled.progress()).equals("measuring")
        && windowLagNanos.getTotalCount() > 0
        && LiveMetrics.lagWorthWarning(percentile(windowLagNanos, 99))) {
      lagWarned = true;
      text.append(
              String.format(
                  Locale.ROOT,
                  "servebench: warning: schedule lag p99 %s over the last %s (more than %.0f ms):"
                      + " the client sent its requests late",
                  millis(percentile(windowLagNanos, 99)),
                  seconds(windowSpanNanos()),
                  LiveMetrics.lagWarningNanos() / 1e6))
          .append('\n');
    }
  }

  /** Takes the interval just ended and slides the window over it. */
  private void sample(long nowNanos, Run current) {
    if (windowStart == null) {
      windowStart = new Mark(current.progress().planStartNanos(), 0, 0);
    }
    slices.addLast(new Slice(nowNanos, current.metrics().takeSlice(spare)));
    spare = null;
    while (slices.size() > windowSlices) {
      Slice oldest = slices.removeFirst();
      windowStart =
          new Mark(
              oldest.endNanos(),
              oldest.figures().succeededTotal(),
              oldest.figures().outputTokensTotal());
      spare = oldest.figures();
    }
    windowTtftNanos.reset();
    windowItlNanos.reset();
    windowLagNanos.reset();
    for (Slice slice : slices) {
      windowTtftNanos.add(slice.figures().ttftNanos());
      windowItlNanos.add(slice.figures().itlNanos());
      windowLagNanos.add(slice.figures().scheduleLagNanos());
    }
  }

  private long windowSpanNanos() {
    return slices.isEmpty() ? 0 : slices.peekLast().endNanos() - windowStart.atNanos();
  }

  /** The block's lines at {@code nowNanos}, as the last {@link #tick} left the window. */
  List<String> block(long nowNanos) {
    String waiting = waiting(nowNanos);
    if (waiting != null) {
      return List.of("servebench: " + waiting);
    }
    Run current = started();
    if (current == null) {
      return List.of(
          "servebench: preparing ("
              + preparing
              + "), "
              + seconds(nowNanos - createdNanos)
              + " elapsed");
    }
    RunProgress progress = current.progress();
    long elapsedNanos = nowNanos - progress.planStartNanos();
    List<String> lines = new ArrayList<>();
    lines.add(
        "servebench: "
            + phase(progress)
            + ", "
            + seconds(elapsedNanos)
            + " elapsed, ETA "
            + eta(current, elapsedNanos));
    lines.add("  requests      " + counts(current, elapsedNanos));
    lines.add(
        String.format(Locale.ROOT, "  %-13s %s", "last " + seconds(windowSpanNanos()), rates()));
    lines.add("  TTFT          " + percentiles(windowTtftNanos));
    lines.add("  ITL           " + percentiles(windowItlNanos));
    lines.add("  schedule lag  " + percentiles(windowLagNanos));
    return lines;
  }

  /** The plain line at {@code nowNanos}, as the last {@link #tick} left the window. */
  String line(long nowNanos) {
    String waiting = waiting(nowNanos);
    if (waiting != null) {
      return "servebench: " + waiting;
    }
    Run current = started();
    if (current == null) {
      return "servebench: [" + seconds(nowNanos - createdNanos) + "] preparing (" + preparing + ")";
    }
    long elapsedNanos = nowNanos - current.progress().planStartNanos();
    return "servebench: ["
        + seconds(elapsedNanos)
        + "] "
        + phase(current.progress())
        + ": "
        + counts(current, elapsedNanos)
        + "; last "
        + seconds(windowSpanNanos())
        + ": "
        + rates()
        + ", TTFT "
        + percentiles(windowTtftNanos).replace(",", "")
        + ", ITL "
        + percentiles(windowItlNanos).replace(",", "")
        + ", schedule lag "
        + percentiles(windowLagNanos).replace(",", "")
        + "; ETA "
        + eta(current, elapsedNanos);
  }

  private String phase(RunProgress progress) {
    if (control.stopRequested()) {
      return "stopping";
    }
    if (progress.sendingDone()) {
      return "draining";
    }
    return progress.warmingUp() ? "warm-up" : "measuring";
  }

  private static String counts(Run current, long elapsedNanos) {
    RunProgress progress = current.progress();
    Plan plan = current.plan();
    String sent =
        plan.plannedRequests() >= 0
            ? progress.sentRequests() + " of " + plan.plannedRequests()
            : plan.sendNanos() >= 0
                ? progress.sentRequests()
                    + " ("
                    + seconds(Math.min(elapsedNanos, plan.sendNanos()))
                    + " of "
                    + seconds(plan.sendNanos())
                    + ")"
                : Long.toString(progress.sentRequests());
    return "sent "
        + sent
        + ", finished "
        + progress.finishedRequests()
        + ", failed "
        + progress.failedRequests()
        + ", in flight "
        + progress.inFlightRequests();
  }

  /** Successful requests and their output tokens per second over the window. */
  private String rates() {
    long spanNanos = windowSpanNanos();
    if (spanNanos <= 0) {
      return "- req/s, - output tokens/s";
    }
    LiveMetrics.Slice last = slices.peekLast().figures();
    double spanSeconds = spanNanos / 1e9;
    return String.format(
        Locale.ROOT,
        "%.1f req/s, %.0f output tokens/s",
        (last.succeededTotal() - windowStart.succeeded()) / spanSeconds,
        (last.outputTokensTotal() - windowStart.outputTokens()) / spanSeconds);
  }

  /**
   * The time left: with a request count, the requests not yet finished at the mean rate they have
   * finished at so far; with a duration, the sending time left.
   */
  private static String eta(Run current, long elapsedNanos) {
    Plan plan = current.plan();
    if (plan.plannedRequests() >= 0) {
      long finished = current.progress().finishedRequests();
      if (finished == 0) {
        return "-";
      }
      long left = Math.max(0, plan.plannedRequests() - finished);
      return seconds((long) ((double) elapsedNanos * left / finished));
    }
    if (plan.sendNanos() >= 0) {
      return seconds(Math.max(0, plan.sendNanos() - elapsedNanos));
    }
    return "-";
  }

  private static String percentiles(Histogram histogram) {
    if (histogram.getTotalCount() == 0) {
      return "p50 -, p99 -";
    }
    return "p50 "
        + millis(percentile(histogram, 50))
        + ", p99 "
        + millis(percentile(histogram, 99));
  }

  /**
   * The percentile, kept within the largest value recorded (HdrHistogram reports a bucket's top).
   */
  private static double percentile(Histogram histogram, double level) {
    return Math.min(histogram.getValueAtPercentile(level), histogram.getMaxValue());
  }

  /** A latency: two decimals under 10 ms, one under a second, then seconds. */
  static String millis(double nanos) {
    double ms = nanos / 1e6;
    if (ms < 10) {
      return String.format(Locale.ROOT, "%.2f ms", ms);
    }
    if (ms < 1000) {
      return String.format(Locale.ROOT, "%.1f ms", ms);
    }
    return String.format(Locale.ROOT, "%.2f s", ms / 1000);
  }

  /** A span of the run: tenths of a second under a minute, then minutes and seconds, then hours. */
  static String seconds(long nanos) {
    double s = nanos / 1e9;
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1f s", s);
    }
    long whole = (long) s;
    if (whole < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", whole / 3600, whole % 3600 / 60);
  }
}
