package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.engine.Pacing.Action;
import dev.servebench.engine.Pacing.Mode;
import dev.servebench.engine.Pacing.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pacer's decisions, table by table, and whole plans played on a simulated clock. */
class PacingTest {

  private static final long MS = 1_000_000;
  private static final long LEAD = 5 * MS;
  private static final long BATCH = 1 * MS;
  private static final long END = SendPlan.END;

  /** No count bound, no duration, no warm-up. */
  private static final BenchmarkRunner.Bounds UNBOUNDED = bounds(-1, -1, 0, 0);

  private static BenchmarkRunner.Bounds bounds(
      long measuredRequests, long durationNanos, int warmupRequests, long warmupNanos) {
    return new BenchmarkRunner.Bounds(
        measuredRequests, durationNanos, warmupRequests, warmupNanos, Duration.ZERO);
  }

  private static Step step(Action action, long atNanos, boolean warmup) {
    return new Step(action, atNanos, warmup);
  }

  /**
   * mode, bounds, index, warmup sent, next offset, elapsed, slot free, stop requested: the step.
   */
  static Stream<Arguments> table() {
    BenchmarkRunner.Bounds oneSecond = bounds(-1, 1000 * MS, 0, 0);
    BenchmarkRunner.Bounds threeAfterTwoWarm = bounds(3, -1, 2, 0);
    BenchmarkRunner.Bounds warmFor200ms = bounds(-1, 1000 * MS, 0, 200 * MS);
    return Stream.of(
        // Open loop: handed over LEAD ahead, at most BATCH earlier than that; the intended time
        // travels with the request.
        Arguments.of(
            "burst at the start",
            Mode.OPEN_LOOP,
            UNBOUNDED,
            7,
            0,
            0L,
            0L,
            true,
            false,
            step(Action.HAND_OVER, 0, false)),
        Arguments.of(
            "late request still handed over",
            Mode.OPEN_LOOP,
            UNBOUNDED,
            0,
            0,
            10 * MS,
            50 * MS,
            true,
            false,
            step(Action.HAND_OVER, 10 * MS, false)),
        Arguments.of(
            "far ahead: sleep until lead",
            Mode.OPEN_LOOP,
            UNBOUNDED,
            0,
            0,
            20 * MS,
            0L,
            true,
            false,
            step(Action.WAIT_UNTIL, 15 * MS, false)),
        Arguments.of(
            "within the batch of this wake-up",
            Mode.OPEN_LOOP,
            UNBOUNDED,
            0,
            0,
            20 * MS,
            14 * MS + MS / 2,
            true,
            false,
            step(Action.HAND_OVER, 20 * MS, false)),
        Arguments.of(
            "just past the batch",
            Mode.OPEN_LOOP,
            UNBOUNDED,
            0,
            0,
            20 * MS,
            13 * MS + MS / 2,
            true,
            false,
            step(Action.WAIT_UNTIL, 15 * MS, false)),
        Arguments.of(
            "plan ended", Mode.OPEN_LOOP, UNBOUNDED, 9, 0, END, 0L, true, false, Step.STOP),
        Arguments.of(
            "stop requested before a due request",
            Mode.OPEN_LOOP,
            UNBOUNDED,
            0,
            0,
            0L,
            0L,
            true,
            true,
            Step.STOP),
        // Duration: intended times from the start of measurement on, warm-up time added.
        Arguments.of(
            "last one inside the duration",
            Mode.OPEN_LOOP,
            oneSecond,
            0,
            0,
            999 * MS,
            998 * MS,
            true,
            false,
            step(Action.HAND_OVER, 999 * MS, false)),
        Arguments.of(
            "duration end", Mode.OPEN_LOOP, oneSecond, 0, 0, 1000 * MS, 0L, true, false, Step.STOP),
        Arguments.of(
            "warm-up time extends the duration",
            Mode.OPEN_LOOP,
            warmFor200ms,
            0,
            0,
            1100 * MS,
            1099 * MS,
            true,
            false,
            step(Action.HAND_OVER, 1100 * MS, false)),
        Arguments.of(
            "warm-up time, then the duration end",
            Mode.OPEN_LOOP,
            warmFor200ms,
            0,
            0,
            1200 * MS,
            0L,
            true,
            false,
            Step.STOP),
        Arguments.of(
            "intended within warm-up time",
            Mode.OPEN_LOOP,
            warmFor200ms,
            0,
            0,
            199 * MS,
            199 * MS,
            true,
            false,
            step(Action.HAND_OVER, 199 * MS, true)),
        // Count: measured requests after the warm-up ones.
        Arguments.of(
            "warm-up by count",
            Mode.OPEN_LOOP,
            threeAfterTwoWarm,
            1,
            1,
            0L,
            0L,
            true,
            false,
            step(Action.HAND_OVER, 0, true)),
        Arguments.of(
            "third measured request",
            Mode.OPEN_LOOP,
            threeAfterTwoWarm,
            4,
            2,
            0L,
            0L,
            true,
            false,
            step(Action.HAND_OVER, 0, false)),
        Arguments.of(
            "count reached",
            Mode.OPEN_LOOP,
            threeAfterTwoWarm,
            5,
            2,
            0L,
            0L,
            true,
            false,
            Step.STOP),
        // Capped: on time or when a slot frees, sent by the pacer itself; lateness stays visible
        // as the gap between the intended time and the send.
        Arguments.of(
            "capped, not yet due",
            Mode.CAPPED,
            UNBOUNDED,
            0,
            0,
            20 * MS,
            19 * MS,
            true,
            false,
            step(Action.WAIT_UNTIL, 20 * MS, false)),
        Arguments.of(
            "capped, due, cap reached",
            Mode.CAPPED,
            UNBOUNDED,
            0,
            0,
            20 * MS,
            20 * MS,
            false,
            false,
            Step.WAIT_FOR_SLOT),
        Arguments.of(
            "capped, slot freed late",
            Mode.CAPPED,
            UNBOUNDED,
            0,
            0,
            20 * MS,
            35 * MS,
            true,
            false,
            step(Action.SEND_NOW, 20 * MS, false)),
        Arguments.of(
            "capped, duration end",
            Mode.CAPPED,
            oneSecond,
            0,
            0,
            1000 * MS,
            1000 * MS,
            true,
            false,
            Step.STOP),
        Arguments.of(
            "capped, stop while waiting for a slot",
            Mode.CAPPED,
            UNBOUNDED,
            0,
            0,
            0L,
            0L,
            false,
            true,
            Step.STOP),
        // Closed loop: a request whenever a slot is free, intended at that moment; no plan.
        Arguments.of(
            "closed, slot free",
            Mode.CLOSED_LOOP,
            UNBOUNDED,
            3,
            0,
            END,
            42 * MS,
            true,
            false,
            step(Action.SEND_NOW, 42 * MS, false)),
        Arguments.of(
            "closed, all slots busy",
            Mode.CLOSED_LOOP,
            UNBOUNDED,
            3,
            0,
            END,
            42 * MS,
            false,
            false,
            Step.WAIT_FOR_SLOT),
        Arguments.of(
            "closed, duration end with a slot",
            Mode.CLOSED_LOOP,
            oneSecond,
            3,
            0,
            END,
            1000 * MS,
            true,
            false,
            Step.STOP),
        Arguments.of(
            "closed, count reached",
            Mode.CLOSED_LOOP,
            threeAfterTwoWarm,
            5,
            2,
            END,
            0L,
            true,
            false,
            Step.STOP),
        Arguments.of(
            "closed, warm-up by count",
            Mode.CLOSED_LOOP,
            threeAfterTwoWarm,
            0,
            0,
            END,
            0L,
            true,
            false,
            step(Action.SEND_NOW, 0, true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(
      String name,
      Mode mode,
      BenchmarkRunner.Bounds bounds,
      long index,
      long warmupSent,
      long nextOffsetNanos,
      long elapsedNanos,
      boolean slotFree,
      boolean stopRequested,
      Step expected) {
    Pacing pacing = new Pacing(mode, bounds, LEAD, BATCH);
    assertThat(
            pacing.next(index, warmupSent, nextOffsetNanos, elapsedNanos, slotFree, stopRequested))
        .isEqualTo(expected);
  }

  /**
   * A session's next turn: bounds, turns ended, turns in the session, previous succeeded, previous
   * end, think time, warm-up session, stop requested: the step.
   */
  static Stream<Arguments> turns() {
    BenchmarkRunner.Bounds oneSecond = bounds(-1, 1000 * MS, 0, 0);
    return Stream.of(
        // The next turn is due when the answer ended plus the think time, however late it is
        // handed over: the lag after that is the client's.
        Arguments.of(
            "next turn at the answer's end",
            UNBOUNDED,
            1,
            3,
            true,
            40 * MS,
            0L,
            false,
            false,
            step(Action.HAND_OVER, 40 * MS, false)),
        Arguments.of(
            "think time after the answer",
            UNBOUNDED,
            2,
            3,
            true,
            40 * MS,
            500 * MS,
            false,
            false,
            step(Action.HAND_OVER, 540 * MS, false)),
        Arguments.of(
            "last turn ended: the session ends",
            UNBOUNDED,
            3,
            3,
            true,
            40 * MS,
            0L,
            false,
            false,
            Step.STOP),
        // Without the answer the conversation cannot go on.
        Arguments.of(
            "a failed turn ends the session",
            UNBOUNDED,
            1,
            3,
            false,
            40 * MS,
            0L,
            false,
            false,
            Step.STOP),
        Arguments.of(
            "stop requested: no further turn",
            UNBOUNDED,
            1,
            3,
            true,
            40 * MS,
            0L,
            false,
            true,
            Step.STOP),
        Arguments.of(
            "due inside the duration",
            oneSecond,
            1,
            3,
            true,
            900 * MS,
            99 * MS,
            false,
            false,
            step(Action.HAND_OVER, 999 * MS, false)),
        Arguments.of(
            "due past the duration: not sent",
            oneSecond,
            1,
            3,
            true,
            900 * MS,
            100 * MS,
            false,
            false,
            Step.STOP),
        // A session is warm-up or measured as a whole, whenever its later turns fall.
        Arguments.of(
            "a warm-up session's turns stay warm-up",
            UNBOUNDED,
            1,
            2,
            true,
            40 * MS,
            0L,
            true,
            false,
            step(Action.HAND_OVER, 40 * MS, true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("turns")
  void decidesTheNextTurn(
      String name,
      BenchmarkRunner.Bounds bounds,
      int turnsEnded,
      int sessionTurns,
      boolean previousSucceeded,
      long previousEndNanos,
      long thinkNanos,
      boolean sessionWarmup,
      boolean stopRequested,
      Step expected) {
    for (Mode mode : Mode.values()) {
      Pacing pacing = new Pacing(mode, bounds, LEAD, BATCH);
      assertThat(
              pacing.nextTurn(
                  turnsEnded,
                  sessionTurns,
                  previousSucceeded,
                  previousEndNanos,
                  thinkNanos,
                  sessionWarmup,
                  stopRequested))
          .as(mode.name())
          .isEqualTo(expected);
    }
  }

  /** A whole open-loop plan on a clock that jumps to each wake-up: what the runner would do. */
  private record Played(List<Long> handedOverAtNanos, List<Long> intendedNanos, int wakeUps) {}

  private static Played playOpenLoop(long[] offsets, BenchmarkRunner.Bounds bounds) {
    Pacing pacing = new Pacing(Mode.OPEN_LOOP, bounds, LEAD, BATCH);
    List<Long> handedOver = new ArrayList<>();
    List<Long> intended = new ArrayList<>();
    long elapsed = 0;
    int position = 0;
    int wakeUps = 0;
    long warmupSent = 0;
    while (true) {
      long next = position < offsets.length ? offsets[position] : END;
      Step step = pacing.next(handedOver.size(), warmupSent, next, elapsed, true, false);
      switch (step.action()) {
        case STOP -> {
          return new Played(handedOver, intended, wakeUps);
        }
        case WAIT_UNTIL -> {
          assertThat(step.atNanos()).isGreaterThan(elapsed);
          elapsed = step.atNanos();
          wakeUps++;
        }
        case HAND_OVER -> {
          handedOver.add(elapsed);
          intended.add(step.atNanos());
          warmupSent += step.warmup() ? 1 : 0;
          position++;
        }
        default -> throw new AssertionError("an open loop never " + step.action());
      }
    }
  }

  @Test
  void rampUpPlanIsHandedOverInOrderAheadOfEachIntendedTime() {
    // Gaps shrinking from 100 ms to 1 ms, as a ramp-up draws them, then a steady 1 ms.
    List<Long> plan = new ArrayList<>();
    long at = 0;
    for (long gap = 100 * MS; gap > MS; gap = gap * 3 / 4) {
      plan.add(at);
      at += gap;
    }
    for (int i = 0; i < 50; i++) {
      plan.add(at);
      at += MS;
    }
    long[] offsets = plan.stream().mapToLong(Long::longValue).toArray();

    Played played = playOpenLoop(offsets, UNBOUNDED);

    assertThat(played.intendedNanos()).containsExactlyElementsOf(plan);
    for (int i = 0; i < offsets.length; i++) {
      long lead = offsets[i] - played.handedOverAtNanos().get(i);
      // Those due within the first LEAD go at once, at the start.
      assertThat(lead)
          .as("request %d's lead", i)
          .isBetween(Math.min(LEAD, offsets[i]), LEAD + BATCH);
    }
    // Batching: the steady 1 ms part wakes the pacer about once per request, never more.
    assertThat(played.wakeUps()).isLessThanOrEqualTo(offsets.length);
  }

  @Test
  void burstIsHandedOverInOneWakeUp() {
    long[] offsets = new long[100];
    Arrays.fill(offsets, 50 * MS);

    Played played = playOpenLoop(offsets, UNBOUNDED);

    assertThat(played.handedOverAtNanos()).hasSize(100).containsOnly(45 * MS);
    assertThat(played.wakeUps()).isEqualTo(1);
  }

  @Test
  void subMillisecondGapsWakeThePacerOncePerBatch() {
    long[] offsets = new long[1000];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = 10 * MS + i * 200_000L; // 5,000 req/s for 200 ms
    }

    Played played = playOpenLoop(offsets, UNBOUNDED);

    assertThat(played.handedOverAtNanos()).hasSize(1000);
    assertThat(played.wakeUps()).isBetween(150, 210);
  }

  @Test
  void durationAndCountBoundsEndAWholePlan() {
    long[] everyTenMs = new long[500];
    for (int i = 0; i < everyTenMs.length; i++) {
      everyTenMs[i] = i * 10 * MS;
    }

    assertThat(playOpenLoop(everyTenMs, bounds(-1, 1000 * MS, 0, 0)).intendedNanos())
        .hasSize(100)
        .last()
        .isEqualTo(990 * MS);
    assertThat(playOpenLoop(everyTenMs, bounds(-1, 1000 * MS, 0, 500 * MS)).intendedNanos())
        .hasSize(150);
    assertThat(playOpenLoop(everyTenMs, bounds(7, -1, 3, 0)).intendedNanos()).hasSize(10);
  }
}
