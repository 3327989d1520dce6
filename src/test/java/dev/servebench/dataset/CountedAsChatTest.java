package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.SharedTestData;
import dev.servebench.tokenizer.ChatMessage;
import dev.servebench.tokenizer.ChatTemplate;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompts and sessions counted with Qwen3's real chat template and tokenizer, as a chat server
 * counts them; texts and output lengths stay as the dataset made them.
 */
class CountedAsChatTest {

  private static final Tokenizer QWEN3 =
      Tokenizers.fromFile(SharedTestData.data("tokenizers/qwen3.json"));

  @TempDir static Path model;
  private static ChatTemplate template;

  @BeforeAll
  static void findTemplate() throws IOException {
    Files.copy(
        SharedTestData.data("tokenizers/qwen3-config.json"),
        model.resolve("tokenizer_config.json"));
    template = ChatTemplate.besideTokenizer(model.resolve("tokenizer.json")).found().orElseThrow();
  }

  @Test
  void eachPromptIsCountedAsItsRenderedUserMessage() {
    List<Prompt> bare =
        IntStream.range(0, 200)
            .mapToObj(i -> "Question " + i + ": how long is river number " + (i * 7) + "?")
            .map(text -> new Prompt(text, QWEN3.countTokens(text), 9))
            .toList();

    // Counted in parallel; each count is the one of that prompt's own rendering.
    List<Prompt> counted = Datasets.countedAsChat(bare, template, QWEN3);

    assertThat(counted).hasSameSizeAs(bare);
    for (int i = 0; i < bare.size(); i++) {
      String text = bare.get(i).text();
      assertThat(counted.get(i).text()).isEqualTo(text);
      assertThat(counted.get(i).outputTokens()).isEqualTo(9);
      assertThat(counted.get(i).promptTokens())
          .isEqualTo(QWEN3.countTokens(template.render(List.of(ChatMessage.user(text)))))
          // <|im_start|> user \n ... <|im_end|> \n <|im_start|> assistant \n
          .isEqualTo(bare.get(i).promptTokens() + 8);
    }
  }

  @Test
  void aSessionsTurnsAddUpToItsRenderedConversation() {
    List<String> texts = List.of("Hi there.", "Name three rivers.", "And two lakes, please?");
    Session session =
        new Session(texts.stream().map(t -> new Prompt(t, QWEN3.countTokens(t), 5)).toList());

    Session counted = Datasets.sessionsCountedAsChat(List.of(session), template, QWEN3).get(0);

    assertThat(counted.turns()).extracting(Prompt::text).isEqualTo(texts);
    assertThat(counted.turns()).extracting(Prompt::outputTokens).containsOnly(5);
    // A run counts turn k as the turns so far plus the answers so far: with answers of no
    // tokens, that is the whole conversation rendered with empty answers.
    List<ChatMessage> conversation = new ArrayList<>();
    int sum = 0;
    for (int turn = 0; turn < texts.size(); turn++) {
      if (turn > 0) {
        conversation.add(ChatMessage.assistant(""));
      }
      conversation.add(ChatMessage.user(texts.get(turn)));
      sum += counted.turns().get(turn).promptTokens();
      assertThat(sum).isEqualTo(QWEN3.countTokens(template.render(conversation)));
    }
  }
}
