package dev.servebench.engine;

import dev.servebench.dataset.Prompt;
import dev.servebench.dataset.Session;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-turn session while it runs. Its turns run one after another, so only the thread carrying
 * its current turn touches {@link #history} (each hand-over to the next goes through a queue, which
 * publishes it); {@link #recordedTokens} is the recorder thread's alone.
 */
final class SessionState {

  /** The session's number, in the order the pacer started them. */
  final int id;

  final Session session;
  final boolean warmup;

  /** The conversation so far: user and assistant texts alternating, the server's answers. */
  final List<String> history = new ArrayList<>();

  /**
   * Tokens of the turns recorded so far (each turn's own text and its answer): a turn's local
   * prompt count is this plus its own, the conversation it was sent with.
   */
  long recordedTokens;

  SessionState(int id, Session session, boolean warmup) {
    this.id = id;
    this.session = session;
    this.warmup = warmup;
  }

  int turns() {
    return session.turns().size();
  }

  Prompt turn(int turn) {
    return session.turns().get(turn);
  }
}
