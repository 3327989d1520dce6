package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SharedPrefixDatasetTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  private static DatasetOptions.Builder groups() {
    return DatasetOptions.builder()
        .seed(7)
        .prefixGroups(3)
        .promptsPerGroup(4)
        .systemPromptLen(40)
        .questionLen(10)
        .sharedPrefixOutputLen(7);
  }

  private static List<Prompt> load(DatasetOptions.Builder options) {
    return Datasets.load(DatasetFormat.SHARED_PREFIX, options.build(), R50K);
  }

  @Test
  void eachGroupsPromptsShareItsSystemPromptTextAndEveryPromptHasItsLength() {
    List<Prompt> prompts = load(groups().numPrompts(12));

    assertThat(prompts).hasSize(12);
    assertThat(prompts.stream().map(Prompt::text).distinct()).hasSize(12);
    for (Prompt prompt : prompts) {
      assertThat(prompt.promptTokens()).isEqualTo(50);
      assertThat(R50K.countTokens(prompt.text())).isEqualTo(50);
      assertThat(prompt.outputTokens()).isEqualTo(7);
    }
    // Random system prompts differ from their first characters on: those name the group.
    Map<String, List<Prompt>> byGroup =
        prompts.stream().collect(Collectors.groupingBy(p -> p.text().substring(0, 12)));
    assertThat(byGroup.values()).hasSize(3).allSatisfy(group -> assertThat(group).hasSize(4));
    for (Collection<Prompt> group : byGroup.values()) {
      String shared = RandomDatasetTest.commonPrefix(List.copyOf(group));
      assertThat(R50K.countTokens(shared)).isBetween(40, 41);
    }
    assertThat(R50K.countTokens(RandomDatasetTest.commonPrefix(prompts))).isLessThan(5);
  }

  @Test
  void theGroupsPromptsArriveShuffled() {
    List<Prompt> prompts = load(groups().numPrompts(12));

    // In group order the first four would share a system prompt.
    assertThat(prompts.subList(0, 4).stream().map(p -> p.text().substring(0, 12)).distinct())
        .hasSizeGreaterThan(1);
  }

  @Test
  void fewerPromptsThanTheGroupsHoldAreDrawnWithoutRepeats() {
    List<Prompt> prompts = load(groups().numPrompts(5));

    assertThat(prompts).hasSize(5);
    assertThat(prompts.stream().map(Prompt::text).distinct()).hasSize(5);
  }

  @Test
  void theSeedMakesPromptsReproducible() {
    List<Prompt> first = load(groups().numPrompts(12));

    assertThat(load(groups().numPrompts(12))).isEqualTo(first);
    assertThat(load(groups().numPrompts(12).seed(8))).isNotEqualTo(first);
  }

  @Test
  void rejectsMorePromptsThanTheGroupsHold() {
    assertThatThrownBy(() -> load(groups().numPrompts(13)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--num-prompts 13 is more than the 12 prompts of --prefix-groups 3 ×"
                + " --prompts-per-group 4: lower --num-prompts to 12 or fewer (or leave it out to"
                + " send every prompt), or add groups or prompts per group");
  }

  @Test
  void rejectsEmptyGroupsAndLengths() {
    assertThatThrownBy(() -> load(groups().numPrompts(1).prefixGroups(0)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--prefix-groups must be at least 1, got 0");
    assertThatThrownBy(() -> load(groups().numPrompts(1).questionLen(0)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--question-len must be at least 1, got 0");
  }
}
