package dev.servebench.dataset;

import java.util.List;

/**
 * One conversation replayed as a multi-turn session ({@code --multi-turn}): its user turns in
 * order. Each turn's {@link Prompt} holds that turn's own text and token count, and as output
 * length the dataset's answer to it; the runner sends turn {@code k} with the conversation so far
 * (earlier turns and the server's answers to them) before it.
 *
 * @param turns at least one
 */
public record Session(List<Prompt> turns) {

  public Session {
    if (turns.isEmpty()) {
      throw new IllegalArgumentException("a session needs at least one turn");
    }
    turns = List.copyOf(turns);
  }
}
