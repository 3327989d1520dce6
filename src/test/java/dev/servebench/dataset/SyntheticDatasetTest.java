package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.servebench.SharedTestData;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticDatasetTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "r50k_base",
        "cl100k_base",
        "gpt2.json",
        "llama3.json",
        "qwen3.json",
        "mistral-7b.json"
      })
  void promptsHaveExactlyTheDrawnLength(String tokenizerName) {
    Tokenizer tokenizer =
        tokenizerName.endsWith(".json")
            ? Tokenizers.fromFile(SharedTestData.data("tokenizers/" + tokenizerName))
            : Tokenizers.builtIn(tokenizerName);
    // A wide spread, so lengths of 1 and a few hundred both occur.
    DatasetOptions options =
        DatasetOptions.builder().numPrompts(60).seed(3).inputLenMean(64).inputLenStddev(64).build();

    List<Prompt> prompts = Datasets.load(DatasetFormat.SYNTHESIS, options, tokenizer);

    assertThat(prompts).hasSize(60);
    assertThat(prompts).anySatisfy(p -> assertThat(p.promptTokens()).isEqualTo(1));
    for (Prompt prompt : prompts) {
      assertThat(tokenizer.countTokens(prompt.text())).isEqualTo(prompt.promptTokens());
      assertThat(prompt.text()).doesNotContain("\uFFFD");
    }
  }

  @Test
  void lengthsFollowTheConfiguredDistributions() {
    DatasetOptions options =
        DatasetOptions.builder()
            .numPrompts(1000)
            .inputLenMean(48)
            .inputLenStddev(8)
            .outputLenMean(200)
            .outputLenStddev(40)
            .build();

    List<Prompt> prompts = Datasets.load(DatasetFormat.SYNTHESIS, options, R50K);

    // Standard errors: 8 / sqrt(1000) = 0.25 and 40 / sqrt(1000) = 1.3; allow about 4 of them.
    assertThat(mean(prompts, Prompt::promptTokens)).isCloseTo(48, within(1.0));
    assertThat(stddev(prompts, Prompt::promptTokens)).isCloseTo(8, within(1.0));
    assertThat(mean(prompts, Prompt::outputTokens)).isCloseTo(200, within(5.0));
    assertThat(stddev(prompts, Prompt::outputTokens)).isCloseTo(40, within(5.0));
  }

  @Test
  void zeroStddevGivesTheMeanEveryTime() {
    DatasetOptions options =
        DatasetOptions.builder().numPrompts(20).inputLenMean(32).outputLenMean(128).build();

    assertThat(Datasets.load(DatasetFormat.SYNTHESIS, options, R50K))
        .allSatisfy(
            p -> {
              assertThat(p.promptTokens()).isEqualTo(32);
              assertThat(p.outputTokens()).isEqualTo(128);
            });
  }

  @Test
  void drawnLengthsAreRoundedAndAtLeastOne() {
    Random random = new Random(1);
    int[] lengths = new int[20000];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = SyntheticDataset.drawLength(random, 3, 4);
    }

    assertThat(lengths).contains(1, 2, 3, 10).doesNotContain(0, -1);
  }

  @Test
  void seedMakesPromptsReproducible() {
    DatasetOptions.Builder options = DatasetOptions.builder().numPrompts(20).inputLenStddev(10);

    List<Prompt> first = Datasets.load(DatasetFormat.SYNTHESIS, options.seed(42).build(), R50K);

    assertThat(Datasets.load(DatasetFormat.SYNTHESIS, options.seed(42).build(), R50K))
        .isEqualTo(first);
    assertThat(Datasets.load(DatasetFormat.SYNTHESIS, options.seed(43).build(), R50K))
        .isNotEqualTo(first);
  }

  @Test
  void neverDrawsTokensThatArePartOfACharacter() {
    int[] drawable = SyntheticText.drawableTokenIds(R50K);

    // r50k_base's ids 94..187 and 222..255 are single bytes 0x80..0xFF, which alone are no UTF-8
    // text; 188..221 are the ASCII control bytes, which are.
    assertThat(drawable).doesNotContain(94, 150, 187, 222, 255).contains(0, 93, 188, 221, 15496);
    assertThat(drawable.length).isLessThan(R50K.ordinaryTokenIds().length).isGreaterThan(49000);
  }

  @Test
  void rejectsMeanAtOrBelowZeroAndNegativeStddev() {
    assertThatThrownBy(() -> generate(DatasetOptions.builder().inputLenMean(0)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--input-len-mean must be above 0, got 0.0");
    assertThatThrownBy(() -> generate(DatasetOptions.builder().outputLenMean(Double.NaN)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--output-len-mean must be above 0, got NaN");
    assertThatThrownBy(() -> generate(DatasetOptions.builder().outputLenStddev(-1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--output-len-stddev must be 0 or more, got -1.0");
  }

  private static void generate(DatasetOptions.Builder options) {
    Datasets.load(DatasetFormat.SYNTHESIS, options.numPrompts(1).build(), R50K);
  }

  private static double mean(List<Prompt> prompts, ToIntFunction<Prompt> length) {
    return prompts.stream().mapToInt(length).average().orElseThrow();
  }

  private static double stddev(List<Prompt> prompts, ToIntFunction<Prompt> length) {
    double mean = mean(prompts, length);
    double sumOfSquares =
        prompts.stream().mapToDouble(p -> Math.pow(length.applyAsInt(p) - mean, 2)).sum();
    return Math.sqrt(sumOfSquares / (prompts.size() - 1));
  }
}
