package dev.servebench.report;

import static dev.servebench.testing.Await.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.engine.RunControl;
import dev.servebench.engine.RunProgress;
import dev.servebench.metrics.LiveMetrics;
import dev.servebench.record.FailureReason;
import dev.servebench.testing.Records;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The live view's text, exactly, from a given run state on a clock the test moves: the block with
 * its ANSI redraw, the plain line, warnings above the block, and a clean screen after close.
 */
class LiveViewTest {

  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Where the block begins again: back to its first line, everything below erased. */
  private static String up(int lines) {
    return "\r\033[" + lines + "A\033[J";
  }

  private static final String WRAP_OFF = "\033[?7l";
  private static final String WRAP_ON = "\033[?7h";

  /** A run's counters, set by the test. */
  private static final class Progress implements RunProgress {
    long sent;
    long finished;
    long failed;
    int inFlight;
    boolean warmingUp;
    boolean sendingDone;
    long planStartNanos;

    @Override
    public long sentRequests() {
      return sent;
    }

    @Override
    public long finishedRequests() {
      return finished;
    }

    @Override
    public long failedRequests() {
      return failed;
    }

    @Override
    public int inFlightRequests() {
      return inFlight;
    }

    @Override
    public boolean warmingUp() {
      return warmingUp;
    }

    @Override
    public boolean sendingDone() {
      return sendingDone;
    }

    @Override
    public long planStartNanos() {
      return planStartNanos;
    }
  }

  private final AtomicLong clock = new AtomicLong(1000 * S);
  private final StringWriter screen = new StringWriter();
  private final LiveLog log = LiveLog.over(new PrintWriter(screen));
  private final RunControl control = new RunControl();

  /** What was printed since the last call. */
  private int taken;

  private String printed() {
    String all = screen.toString();
    String fresh = all.substring(taken);
    taken = all.length();
    return fresh;
  }

  @Test
  void theBlockIsRedrawnInPlaceWithWarningsAboveIt() {
    LiveView view =
        new LiveView(new LiveView.Settings(LiveView.Mode.BLOCK, 10 * S), control, log, clock::get);
    clock.addAndGet(500 * MS);
    view.tick();
    assertThat(printed())
        .isEqualTo(
            WRAP_OFF
                + "servebench: preparing (prompts, tokenizer, rehearsal of the request path),"
                + " 0.5 s elapsed\n"
                + WRAP_ON);

    Progress progress = new Progress();
    progress.planStartNanos = clock.get() + 500 * MS;
    LiveMetrics metrics = new LiveMetrics("r50k_base");
    view.runStarted(progress, metrics, new LiveView.Plan(100, -1, true));
    // Two requests: TTFT 50 and 100 ms, gaps of 10 ms, 10 output tokens each, sent on time.
    metrics.add(Records.streamed(0, 0, 0, 32, 10, 50, 60, 70));
    metrics.add(Records.streamed(1, 100, 100, 32, 10, 100, 110, 120));
    progress.sent = 12;
    progress.finished = 2;
    progress.inFlight = 10;
    clock.set(progress.planStartNanos + 2 * S);
    view.tick();
    assertThat(printed())
        .isEqualTo(
            up(1)
                + WRAP_OFF
                + "servebench: measuring, 2.0 s elapsed, ETA 1m38s\n"
                + "  requests      sent 12 of 100, finished 2, failed 0, in flight 10\n"
                + "  last 2.0 s    1.0 req/s, 10 output tokens/s\n"
                + "  TTFT          p50 50.0 ms, p99 100.0 ms\n"
                + "  ITL           p50 10.0 ms, p99 10.0 ms\n"
                + "  schedule lag  p50 0.00 ms, p99 0.00 ms\n"
                + WRAP_ON);

    // A failure and a runner's notice arrive: both go above the block, the block follows.
    metrics.add(Records.failed(2, 1500, 503, FailureReason.HTTP_STATUS, "HTTP 503: overloaded"));
    progress.finished = 3;
    progress.failed = 1;
    progress.inFlight = 9;
    log.println("servebench: a notice from the runner");
    clock.addAndGet(500 * MS);
    view.tick();
    assertThat(printed())
        .isEqualTo(
            up(6)
                + "servebench: a notice from the runner\n"
                + "servebench: warning: first http_status failure (request 2): HTTP 503:"
                + " overloaded\n"
                + WRAP_OFF
                + "servebench: measuring, 2.5 s elapsed, ETA 1m20s\n"
                + "  requests      sent 12 of 100, finished 3, failed 1, in flight 9\n"
                + "  last 2.5 s    0.8 req/s, 8 output tokens/s\n"
                + "  TTFT          p50 50.0 ms, p99 100.0 ms\n"
                + "  ITL           p50 10.0 ms, p99 10.0 ms\n"
                + "  schedule lag  p50 0.00 ms, p99 0.00 ms\n"
                + WRAP_ON);

    // Closing erases the block and hands the log back: what follows prints at once.
    view.close();
    assertThat(printed()).isEqualTo(up(6));
    log.println("servebench: after the run");
    assertThat(printed()).isEqualTo("servebench: after the run\n");
  }

  @Test
  void theWindowForgetsWhatFinishedBeforeItsLastFiveSeconds() {
    LiveView view =
        new LiveView(new LiveView.Settings(LiveView.Mode.BLOCK, 10 * S), control, log, clock::get);
    Progress progress = new Progress();
    progress.planStartNanos = clock.get();
    LiveMetrics metrics = new LiveMetrics("r50k_base");
    view.runStarted(progress, metrics, new LiveView.Plan(-1, 60 * S, true));
    metrics.add(Records.streamed(0, 0, 0, 32, 10, 1000, 1010));
    for (int tick = 1; tick <= 10; tick++) {
      clock.addAndGet(500 * MS);
      view.tick();
    }
    assertThat(view.block(clock.get())).contains("  TTFT          p50 1.00 s, p99 1.00 s");
    // Ten half-second ticks later the slow request has left the window; a fast one came.
    metrics.add(Records.streamed(1, 5000, 5000, 32, 10, 40, 50));
    progress.sent = 2;
    progress.finished = 2;
    for (int tick = 1; tick <= 10; tick++) {
      clock.addAndGet(500 * MS);
      view.tick();
    }
    assertThat(view.block(clock.get()))
        .containsExactly(
            "servebench: measuring, 10.0 s elapsed, ETA 50.0 s",
            "  requests      sent 2 (10.0 s of 1m00s), finished 2, failed 0, in flight 0",
            "  last 5.0 s    0.2 req/s, 2 output tokens/s",
            "  TTFT          p50 40.0 ms, p99 40.0 ms",
            "  ITL           p50 10.0 ms, p99 10.0 ms",
            "  schedule lag  p50 0.00 ms, p99 0.00 ms");
    view.close();
  }

  @Test
  void scheduleLagWarnsOnceOverAWholeWindowOfTheMeasurement() {
    LiveView view =
        new LiveView(new LiveView.Settings(LiveView.Mode.BLOCK, 10 * S), control, log, clock::get);
    Progress progress = new Progress();
    progress.planStartNanos = clock.get();
    progress.warmingUp = true;
    LiveMetrics metrics = new LiveMetrics("r50k_base");
    view.runStarted(progress, metrics, new LiveView.Plan(1000, -1, true));
    for (int tick = 1; tick <= 20; tick++) {
      // Every request is sent 30 ms after its time.
      metrics.add(Records.streamed(tick, tick * 500L, tick * 500L + 30, 32, 10, 50, 60));
      // Late throughout: no warning during the warm-up, nor before a whole window was measured.
      progress.warmingUp = tick <= 10;
      clock.addAndGet(500 * MS);
      view.tick();
      String printed = printed();
      assertThat(printed.contains("warning: schedule lag"))
          .as("a warning at tick %d: %s", tick, printed)
          .isEqualTo(tick == 11);
    }
    assertThat(screen.toString())
        .contains(
            "servebench: warning: schedule lag p99 30.0 ms over the last 5.0 s (more than 10 ms):"
                + " the client sent its requests late\n");
    view.close();
  }

  @Test
  void aLaterStartIsWaitedForNotMeasured() {
    LiveView view =
        new LiveView(new LiveView.Settings(LiveView.Mode.BLOCK, 10 * S), control, log, clock::get);
    Progress progress = new Progress();
    progress.planStartNanos = clock.get() + 12 * S + 300 * MS; // --start-at, 12.3 s ahead
    view.runStarted(progress, new LiveMetrics("r50k_base"), new LiveView.Plan(40, -1, true));
    view.tick();
    assertThat(printed())
        .matches(
            "(?s)\\Q"
                + WRAP_OFF
                + "\\Eservebench: waiting for the start at \\d\\d:\\d\\d:\\d\\d \\(in 13 s\\)\n\\Q"
                + WRAP_ON
                + "\\E");
    assertThat(view.line(clock.get())).contains("waiting for the start at", "(in 13 s)");
    clock.set(progress.planStartNanos + 1 * S);
    assertThat(view.line(clock.get())).startsWith("servebench: [1.0 s] measuring");
  }

  @Test
  void withoutATerminalAPlainLineComesEveryInterval() {
    LiveView view =
        new LiveView(new LiveView.Settings(LiveView.Mode.LINES, 2 * S), control, log, clock::get);
    Progress progress = new Progress();
    progress.planStartNanos = clock.get();
    LiveMetrics metrics = new LiveMetrics("r50k_base");
    view.runStarted(progress, metrics, new LiveView.Plan(40, -1, false));
    metrics.add(Records.streamed(0, 0, 0, 32, 10, 50, 60, 70));
    progress.sent = 4;
    progress.finished = 1;
    progress.inFlight = 3;
    clock.addAndGet(500 * MS);
    view.tick();
    clock.addAndGet(500 * MS);
    view.tick();
    clock.addAndGet(500 * MS);
    view.tick();
    assertThat(printed()).isEmpty();
    clock.addAndGet(500 * MS);
    view.tick();
    assertThat(printed())
        .isEqualTo(
            "servebench: [2.0 s] measuring: sent 4 of 40, finished 1, failed 0, in flight 3;"
                + " last 2.0 s: 0.5 req/s, 5 output tokens/s, TTFT p50 50.0 ms p99 50.0 ms,"
                + " ITL p50 10.0 ms p99 10.0 ms, schedule lag p50 0.00 ms p99 0.00 ms;"
                + " ETA 1m18s\n");
    progress.sendingDone = true;
    control.requestStop();
    for (int tick = 1; tick <= 4; tick++) {
      clock.addAndGet(500 * MS);
      view.tick();
    }
    assertThat(printed()).startsWith("servebench: [4.0 s] stopping: sent 4 of 40");
    view.close();
    assertThat(printed()).isEmpty(); // no block to erase
  }

  @Test
  void aMessageFlushedWhileTheViewClosesIsPrintedOnceAndInOrder() throws Exception {
    LiveView view =
        new LiveView(new LiveView.Settings(LiveView.Mode.BLOCK, 10 * S), control, log, clock::get);
    int count = 2000;
    AtomicInteger written = new AtomicInteger();
    Thread writer =
        Thread.ofPlatform()
            .start(
                () -> {
                  for (int i = 0; i < count; i++) {
                    log.println("message " + i);
                    written.incrementAndGet();
                  }
                });
    awaitUntil("some messages queued", () -> written.get() > 50);
    view.close(); // while the writer still flushes, queued or not
    writer.join();
    List<String> messages =
        screen.toString().lines().filter(line -> line.startsWith("message ")).toList();
    assertThat(messages).hasSize(count);
    for (int i = 0; i < count; i++) {
      assertThat(messages.get(i)).isEqualTo("message " + i);
    }
  }
}
