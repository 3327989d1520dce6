package dev.servebench.metrics;

import dev.servebench.record.RequestRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of multi-turn sessions, folded from their turns' records. A session is open from its
 * first turn's record to its last one's (its last turn, or a turn that did not succeed, which ends
 * it); memory grows only with the sessions open at once. A session still open when the summary is
 * made (the run ended before its next turn) counts with the turns it completed.
 */
final class SessionTally {

  /** One session while its turns arrive. */
  private static final class Open {
    long firstSentNanos = Long.MAX_VALUE;
    long lastEndNanos = Long.MIN_VALUE;
    int turnsSucceeded;
  }

  private final Map<Integer, Open> open = new HashMap<>();
  private final LatencyRecorder firstTurnTtft = new LatencyRecorder();
  private final LatencyRecorder laterTurnsTtft = new LatencyRecorder();
  private final LatencyRecorder firstTurnE2e = new LatencyRecorder();
  private final LatencyRecorder laterTurnsE2e = new LatencyRecorder();
  private final LatencyRecorder duration = new LatencyRecorder();
  private long ended;
  private long completed;
  private long endedTurnsSucceeded;
  private long turnRecords;

  /** Adds one measured turn (warm-up sessions are left out whole, as their turns are). */
  void add(RequestRecord record) {
    RequestRecord.Turn turn = record.turn();
    turnRecords++;
    Open session = open.computeIfAbsent(turn.session(), id -> new Open());
    if (record.stamps().firstSentNanos() != RequestRecord.ABSENT) {
      session.firstSentNanos = Math.min(session.firstSentNanos, record.stamps().firstSentNanos());
    }
    session.lastEndNanos = Math.max(session.lastEndNanos, record.stamps().endNanos());
    if (record.succeeded()) {
      session.turnsSucceeded++;
      boolean first = turn.number() == 1;
      if (record.streamed() && record.ttftNanos() != RequestRecord.ABSENT) {
        (first ? firstTurnTtft : laterTurnsTtft).record(record.ttftNanos());
      }
      if (record.e2eNanos() != RequestRecord.ABSENT) {
        (first ? firstTurnE2e : laterTurnsE2e).record(record.e2eNanos());
      }
    }
    if (!record.succeeded() || turn.number() >= turn.turns()) {
      open.remove(turn.session());
      ended++;
      endedTurnsSucceeded += session.turnsSucceeded;
      if (session.turnsSucceeded == turn.turns()) {
        completed++;
        duration.record(session.lastEndNanos - session.firstSentNanos);
      }
    }
  }

  /** The figures, or {@code null} when no record was a session's turn. */
  Summary.Sessions summarize(List<Double> levels) {
    if (turnRecords == 0) {
      return null;
    }
    long sessions = ended + open.size();
    long turnsSucceeded = endedTurnsSucceeded;
    for (Open session : open.values()) {
      turnsSucceeded += session.turnsSucceeded;
    }
    return new Summary.Sessions(
        sessions,
        completed,
        sessions == 0 ? Double.NaN : turnsSucceeded / (double) sessions,
        duration.distribution(levels),
        firstTurnTtft.distribution(levels),
        laterTurnsTtft.distribution(levels),
        firstTurnE2e.distribution(levels),
        laterTurnsE2e.distribution(levels));
  }
}
