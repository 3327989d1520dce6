package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.record.FailureReason;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.TokenSource;
import dev.servebench.testing.Records;
import org.junit.jupiter.api.Test;

/** Per-session and per-turn figures of multi-turn runs, from their records alone. */
class SessionFiguresTest {

  private static final long MS = 1_000_000;

  /** A streamed turn: sent at {@code sentMs}, first token 10 ms later, ended 40 ms after send. */
  private static RequestRecord turn(
      int index, int session, int number, int turns, long sentMs, boolean ok, boolean warmup) {
    RequestRecord.Builder builder =
        RequestRecord.builder()
            .index(index)
            .warmup(warmup)
            .turn(session, number, turns)
            .streamed(true)
            .intendedNanos(sentMs * MS)
            .sentNanos(sentMs * MS)
            .firstSentNanos(sentMs * MS)
            .headersNanos(sentMs * MS + 5 * MS)
            .firstTokenNanos(sentMs * MS + 10 * number * MS)
            .lastTokenNanos(sentMs * MS + 40 * MS)
            .endNanos(sentMs * MS + 40 * MS)
            .chunks(
                new long[] {sentMs * MS + 10 * number * MS, sentMs * MS + 40 * MS},
                new int[] {1, 1},
                TokenSource.LOCAL)
            .promptTokens(10 * number, TokenSource.LOCAL)
            .localPromptTokens(10 * number)
            .outputTokens(2, TokenSource.LOCAL)
            .httpStatus(ok ? 200 : 500);
    if (!ok) {
      builder.failure(FailureReason.HTTP_STATUS, "HTTP 500");
    }
    return builder.build();
  }

  @Test
  void sessionsAreCountedWholeAndTurnsSplitByPlace() {
    Aggregator aggregator = new Aggregator();
    // Session 0: three turns, each sent 100 ms after the last.
    aggregator.add(turn(0, 0, 1, 3, 0, true, false));
    aggregator.add(turn(1, 0, 2, 3, 100, true, false));
    aggregator.add(turn(2, 0, 3, 3, 200, true, false));
    // Session 1: its second turn fails, which ends it.
    aggregator.add(turn(3, 1, 1, 3, 0, true, false));
    aggregator.add(turn(4, 1, 2, 3, 100, false, false));
    // Session 2: the run ended after its first turn.
    aggregator.add(turn(5, 2, 1, 2, 300, true, false));
    // A warm-up session is in no figure.
    aggregator.add(turn(6, 3, 1, 1, 0, true, true));

    Summary.Sessions sessions = aggregator.summarize(Records.run(1.0), null).sessions();

    assertThat(sessions.sessions()).isEqualTo(3);
    assertThat(sessions.completed()).isEqualTo(1);
    assertThat(sessions.meanTurnsCompleted()).isEqualTo((3 + 1 + 1) / 3.0);
    // Only the completed session has a duration: first send to last end.
    assertThat(sessions.duration().count()).isEqualTo(1);
    assertThat(sessions.duration().meanNanos()).isEqualTo(240.0 * MS);
    assertThat(sessions.firstTurnTtft().count()).isEqualTo(3);
    assertThat(sessions.firstTurnTtft().meanNanos()).isEqualTo(10.0 * MS);
    assertThat(sessions.laterTurnsTtft().count()).isEqualTo(2);
    assertThat(sessions.laterTurnsTtft().meanNanos()).isEqualTo(25.0 * MS);
    assertThat(sessions.firstTurnE2e().count()).isEqualTo(3);
    assertThat(sessions.laterTurnsE2e().count()).isEqualTo(2);
  }

  @Test
  void aRunWithoutSessionsHasNoSessionFigures() {
    Aggregator aggregator = new Aggregator();
    aggregator.add(Records.streamed(0, 0, 0, 100, 5, 50, 60, 70, 80, 90));

    assertThat(aggregator.summarize(Records.run(1.0), null).sessions()).isNull();
  }
}
