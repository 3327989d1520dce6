package dev.servebench.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.SharedTestData;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenizersTest {

  /**
   * A machine with no Hugging Face cache and no LLM-on-Ray checkout, so that what a developer's own
   * cache holds never changes these results.
   */
  @TempDir static Path bareHome;

  private static Tokenizer resolve(String spec, String model) {
    TokenizerLocations bare =
        new TokenizerLocations(Map.of("HOME", bareHome.toString()), bareHome, bareHome, null);
    return Tokenizers.find(spec, model, null, bare).tokenizer();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // Every name and alias, in any case.
    "r50k_base, r50k_base",
    "gpt2, r50k_base",
    "P50K_BASE, p50k_base",
    "cl100k_base, cl100k_base",
    "o200k, o200k_base",
  })
  void resolvesBuiltInNames(String spec, String encoding) {
    assertThat(resolve(spec, "any-model").name()).isEqualTo(encoding);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // The GPT-J-6B of the original benchmark, bare and with its organisation.
    "gpt-j-6b, r50k_base",
    "EleutherAI/gpt-j-6b, r50k_base",
    "EleutherAI/GPT-J-6B, r50k_base",
    "gpt-j, r50k_base",
    "gpt2, r50k_base",
    "openai-community/gpt2-xl, r50k_base",
    "text-davinci-003, p50k_base",
    "text-davinci-002, p50k_base",
    "gpt-3.5-turbo, cl100k_base",
    "gpt-4, cl100k_base",
    "gpt-4-turbo, cl100k_base",
    "gpt-4-0613, cl100k_base",
    // gpt-4o and gpt-4.1 share gpt-4's prefix but not its encoding.
    "gpt-4o, o200k_base",
    "gpt-4o-mini, o200k_base",
    "gpt-4.1-nano, o200k_base",
    "o1, o200k_base",
    "o1-mini, o200k_base",
    "o3-mini, o200k_base",
    // A trailing slash of a local model directory is not a segment.
    "/models/gpt-j-6b/, r50k_base",
  })
  void picksTheDefaultOfKnownModels(String model, String encoding) {
    assertThat(resolve(null, model).name()).isEqualTo(encoding);
  }

  @Test
  void rejectsUnknownModelWithoutTokenizer() {
    assertThatThrownBy(() -> resolve(null, "meta-llama/Meta-Llama-3-8B"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("no tokenizer found for model 'meta-llama/Meta-Llama-3-8B'")
        .hasMessageContaining("--tokenizer with a built-in encoding (r50k_base, p50k_base,");
    // A family name is not a prefix of anything: "o1x" and "gpt-40" are no known models.
    assertThatThrownBy(() -> resolve(null, "o1x")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> resolve(null, "gpt-40")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void rejectsUnknownBuiltInName() {
    // --tokenizer wins over the model: gpt-4's own encoding is not taken instead of a typo.
    assertThatThrownBy(() -> resolve("cl200k_base", "gpt-4"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("no tokenizer found for --tokenizer 'cl200k_base'")
        .hasMessageContaining(
            "the built-in encodings (r50k_base, p50k_base, cl100k_base, o200k_base): none is named"
                + " 'cl200k_base'");
    assertThatThrownBy(() -> Tokenizers.builtIn("cl200k_base"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown built-in tokenizer 'cl200k_base'");
  }

  @Test
  void rejectsBlankSpec() {
    assertThatThrownBy(() -> resolve(" ", "gpt-4"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--tokenizer is empty");
  }

  @Test
  void resolvesFilesAndDirectoriesHoldingTokenizerJson(@TempDir Path dir) throws IOException {
    Path gpt2 = SharedTestData.data("tokenizers/gpt2.json");
    Files.copy(gpt2, dir.resolve("tokenizer.json"));

    assertThat(resolve(gpt2.toString(), null).encode("Hello world")).containsExactly(15496, 995);
    assertThat(resolve(dir.toString(), null).encode("Hello world")).containsExactly(15496, 995);
  }

  @Test
  void rejectsDirectoryWithoutTokenizerJson(@TempDir Path dir) {
    assertThatThrownBy(() -> resolve(dir.toString(), "gpt-4"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "directory "
                + dir
                + " has no tokenizer.json: pass the path of the model's tokenizer.json file");
  }

  @Test
  void rejectsInvalidJsonFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("tokenizer.json"), "not json");

    assertThatThrownBy(() -> resolve(file.toString(), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(file + " is not a Hugging Face tokenizer.json");
  }

  @Test
  void cachesLoadedTokenizers() {
    Path llama3 = SharedTestData.data("tokenizers/llama3.json");

    assertThat(Tokenizers.fromFile(llama3)).isSameAs(resolve(llama3.toString(), null));
    assertThat(Tokenizers.builtIn("gpt2")).isSameAs(resolve(null, "gpt-j-6b"));
    // The process's own environment gives the same built-in encodings.
    assertThat(Tokenizers.resolve("cl100k_base", null)).isSameAs(Tokenizers.builtIn("cl100k"));
  }
}
