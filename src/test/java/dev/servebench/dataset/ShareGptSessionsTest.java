package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ShareGPT conversations as multi-turn sessions ({@code --multi-turn}). */
class ShareGptSessionsTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  @TempDir Path dir;

  /**
   * Three conversations: one of three whole turns and a last question left unanswered, one whose
   * second turn is two questions in a row, one of a single turn.
   */
  private Path conversations() throws IOException {
    return Files.writeString(
        dir.resolve("sharegpt.json"),
        """
        [
          {"id": "three", "conversations": [
            {"from": "human", "value": "What is the capital of France, please?"},
            {"from": "gpt", "value": "The capital of France is Paris, on the Seine."},
            {"from": "human", "value": "And of Italy?"},
            {"from": "gpt", "value": "Rome."},
            {"from": "human", "value": "Which one is older?"},
            {"from": "gpt", "value": "Rome is older than Paris by several centuries."},
            {"from": "human", "value": "Thanks, that is all."}]},
          {"id": "broken", "conversations": [
            {"from": "human", "value": "Tell me a joke about computers, please."},
            {"from": "gpt", "value": "Why did the computer go to the doctor? It had a virus."},
            {"from": "human", "value": "Another one."},
            {"from": "human", "value": "Please?"}]},
          {"id": "one", "conversations": [
            {"from": "human", "value": "Name three primary colours for me."},
            {"from": "gpt", "value": "Red, yellow and blue are the primary colours."}]}
        ]
        """);
  }

  private static List<Session> sessions(Path file, int maxTurns) {
    DatasetOptions options = DatasetOptions.builder().dataset(file).numPrompts(3).build();
    return Datasets.loadSessions(DatasetFormat.SHAREGPT, options, R50K, maxTurns);
  }

  private static Session startingWith(List<Session> sessions, String text) {
    return sessions.stream()
        .filter(session -> session.turns().get(0).text().startsWith(text))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void eachConversationBecomesItsHumanTurnsInOrder() throws IOException {
    List<Session> sessions = sessions(conversations(), Integer.MAX_VALUE);

    assertThat(sessions).hasSize(3);
    // The unanswered last question has no output length to ask for: it is not a turn.
    assertThat(startingWith(sessions, "What is").turns())
        .extracting(Prompt::text)
        .containsExactly(
            "What is the capital of France, please?", "And of Italy?", "Which one is older?");
    // Turns end at the first that is not a question followed by its answer.
    assertThat(startingWith(sessions, "Tell me").turns()).hasSize(1);
    assertThat(startingWith(sessions, "Name three").turns()).hasSize(1);
  }

  @Test
  void eachTurnCountsItsOwnTextAndAsksForItsAnswersLength() throws IOException {
    Session three = startingWith(sessions(conversations(), Integer.MAX_VALUE), "What is");

    Prompt second = three.turns().get(1);
    assertThat(second.promptTokens()).isEqualTo(R50K.countTokens("And of Italy?"));
    assertThat(second.outputTokens()).isEqualTo(R50K.countTokens("Rome."));
    Prompt third = three.turns().get(2);
    assertThat(third.outputTokens())
        .isEqualTo(R50K.countTokens("Rome is older than Paris by several centuries."));
  }

  @Test
  void maxTurnsCapsEverySession() throws IOException {
    List<Session> sessions = sessions(conversations(), 2);

    assertThat(sessions.stream().mapToInt(session -> session.turns().size()).max().orElseThrow())
        .isEqualTo(2);
    assertThat(startingWith(sessions, "What is").turns()).hasSize(2);
  }

  @Test
  void firstTurnsAreTheSingleTurnRunsPrompts() throws IOException {
    Path file = conversations();
    DatasetOptions options = DatasetOptions.builder().dataset(file).numPrompts(3).seed(5).build();

    List<Prompt> firstTurns =
        Datasets.loadSessions(DatasetFormat.SHAREGPT, options, R50K, 4).stream()
            .map(session -> session.turns().get(0))
            .toList();

    assertThat(firstTurns).isEqualTo(Datasets.load(DatasetFormat.SHAREGPT, options, R50K));
  }

  @Test
  void maxNewTokensAppliesToEveryTurn() throws IOException {
    DatasetOptions options =
        DatasetOptions.builder().dataset(conversations()).numPrompts(3).maxNewTokens(7).build();

    List<Session> sessions = Datasets.loadSessions(DatasetFormat.SHAREGPT, options, R50K, 4);

    assertThat(sessions.stream().flatMap(session -> session.turns().stream()))
        .allSatisfy(turn -> assertThat(turn.outputTokens()).isEqualTo(7));
    assertThat(
            sessions.stream().map(session -> session.turns().size()).max(Comparator.naturalOrder()))
        .contains(3);
  }

  @Test
  void otherFormatsHaveNoConversations() {
    DatasetOptions options = DatasetOptions.builder().numPrompts(3).build();

    assertThatThrownBy(
            () -> Datasets.loadSessions(DatasetFormat.SYNTHESIS, options, R50K, Integer.MAX_VALUE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--multi-turn")
        .hasMessageContaining("ShareGPT");
  }
}
