package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RandomDatasetTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  private static List<Prompt> load(DatasetOptions.Builder options) {
    return Datasets.load(DatasetFormat.RANDOM, options.build(), R50K);
  }

  @Test
  void lengthsAreDrawnWithinVllmsBoundsAndEveryPromptHasExactlyItsLength() {
    List<Prompt> prompts =
        load(
            DatasetOptions.builder()
                .numPrompts(300)
                .seed(5)
                .randomInputLen(100)
                .randomOutputLen(50)
                .randomRangeRatio(0.25));

    assertThat(prompts).hasSize(300);
    // [floor(100 * 0.75), ceil(100 * 1.25)] and [floor(50 * 0.75), ceil(50 * 1.25)].
    assertThat(prompts).allSatisfy(p -> assertThat(p.promptTokens()).isBetween(75, 125));
    assertThat(prompts).allSatisfy(p -> assertThat(p.outputTokens()).isBetween(37, 63));
    // Uniform over 51 and 27 values: 300 draws reach near both ends.
    assertThat(prompts).anySatisfy(p -> assertThat(p.promptTokens()).isLessThan(80));
    assertThat(prompts).anySatisfy(p -> assertThat(p.promptTokens()).isGreaterThan(120));
    assertThat(prompts).anySatisfy(p -> assertThat(p.outputTokens()).isLessThan(40));
    assertThat(prompts).anySatisfy(p -> assertThat(p.outputTokens()).isGreaterThan(60));
    for (Prompt prompt : prompts) {
      assertThat(R50K.countTokens(prompt.text())).isEqualTo(prompt.promptTokens());
    }
  }

  @Test
  void aRatioOfZeroGivesFixedLengths() {
    assertThat(
            load(
                DatasetOptions.builder()
                    .numPrompts(20)
                    .randomInputLen(64)
                    .randomOutputLen(16)
                    .randomRangeRatio(0)))
        .allSatisfy(
            p -> {
              assertThat(p.promptTokens()).isEqualTo(64);
              assertThat(R50K.countTokens(p.text())).isEqualTo(64);
              assertThat(p.outputTokens()).isEqualTo(16);
            });
  }

  @Test
  void theSeedMakesPromptsReproducible() {
    DatasetOptions.Builder options =
        DatasetOptions.builder().numPrompts(20).randomInputLen(40).randomRangeRatio(0.5);

    List<Prompt> first = load(options.seed(42));

    assertThat(load(options.seed(42))).isEqualTo(first);
    assertThat(load(options.seed(43))).isNotEqualTo(first);
  }

  @Test
  void aPrefixIsTheSameTextAtTheStartOfEveryPromptAndCountsInItsLength() {
    List<Prompt> prompts =
        load(
            DatasetOptions.builder()
                .numPrompts(30)
                .seed(9)
                .randomPrefixLen(50)
                .randomInputLen(20)
                .randomRangeRatio(0.5));

    String shared = commonPrefix(prompts);
    // The prompts agree on the prefix's text and part at most of the token after it.
    assertThat(R50K.countTokens(shared)).isBetween(49, 51);
    for (Prompt prompt : prompts) {
      assertThat(prompt.promptTokens()).isBetween(50 + 10, 50 + 30);
      assertThat(R50K.countTokens(prompt.text())).isEqualTo(prompt.promptTokens());
    }
  }

  @ParameterizedTest(name = "ratio {0}")
  @CsvSource({"1.0", "-0.1", "NaN"})
  void rejectsARatioOutsideZeroToOne(double ratio) {
    assertThatThrownBy(() -> load(DatasetOptions.builder().numPrompts(1).randomRangeRatio(ratio)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--random-range-ratio must be at least 0 and below 1");
  }

  @Test
  void rejectsSettingsThatCanDrawAnEmptyPrompt() {
    assertThatThrownBy(
            () ->
                load(
                    DatasetOptions.builder().numPrompts(1).randomInputLen(1).randomRangeRatio(0.5)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--random-input-len 1 with --random-range-ratio 0.5 can draw prompts of 0 tokens:"
                + " raise --random-input-len, lower --random-range-ratio, or add"
                + " --random-prefix-len");
    // With a prefix, an empty random part is still a prompt, as in vLLM.
    assertThat(
            load(
                DatasetOptions.builder()
                    .numPrompts(5)
                    .randomInputLen(1)
                    .randomRangeRatio(0.5)
                    .randomPrefixLen(8)))
        .allSatisfy(p -> assertThat(R50K.countTokens(p.text())).isEqualTo(p.promptTokens()));
  }

  @Test
  void rejectsLengthsBelowOne() {
    assertThatThrownBy(() -> load(DatasetOptions.builder().numPrompts(1).randomOutputLen(0)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--random-output-len must be 1 to");
  }

  /** The longest text every prompt starts with. */
  static String commonPrefix(List<Prompt> prompts) {
    String shared = prompts.get(0).text();
    for (Prompt prompt : prompts) {
      int length = 0;
      while (length < shared.length()
          && length < prompt.text().length()
          && shared.charAt(length) == prompt.text().charAt(length)) {
        length++;
      }
      shared = shared.substring(0, length);
    }
    return shared;
  }
}
