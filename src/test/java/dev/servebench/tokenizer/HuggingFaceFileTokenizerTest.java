package dev.servebench.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.SharedTestData;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HuggingFaceFileTokenizerTest {

  private static final String SHAREGPT_TEXT = longestShareGptPrompt();

  /**
   * "Hello world" in each shared tokenizer, and the vocabulary pieces those ids must be: byte-level
   * BPE files mark a leading space with Ġ, SentencePiece-style ones (Mistral) with ▁.
   */
  static List<Arguments> helloWorld() {
    return List.of(
        Arguments.of("gpt2.json", new int[] {15496, 995}, List.of("Hello", "Ġworld")),
        Arguments.of("llama3.json", new int[] {9906, 1917}, List.of("Hello", "Ġworld")),
        Arguments.of("qwen3.json", new int[] {9707, 1879}, List.of("Hello", "Ġworld")),
        Arguments.of("mistral-7b.json", new int[] {22557, 1526}, List.of("▁Hello", "▁world")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("helloWorld")
  void encodesHelloWorldToKnownIdsWithoutBos(String file, int[] ids, List<String> pieces)
      throws IOException {
    Tokenizer tokenizer = shared(file);

    assertThat(tokenizer.encode("Hello world")).containsExactly(ids);
    assertThat(tokenizer.countTokens("Hello world")).isEqualTo(ids.length);
    JsonNode vocabulary =
        new ObjectMapper()
            .readTree(SharedTestData.data("tokenizers/" + file).toFile())
            .path("model")
            .path("vocab");
    assertThat(vocabulary.path(pieces.get(0)).asInt()).isEqualTo(ids[0]);
    assertThat(vocabulary.path(pieces.get(1)).asInt()).isEqualTo(ids[1]);
  }

  @Test
  void addsNoBeginOfSequenceToken() {
    // Both files' own post-processors would put these first: Mistral's template adds <s>.
    assertThat(shared("llama3.json").encode("The quick brown fox")).doesNotContain(128000);
    assertThat(shared("mistral-7b.json").encode("The quick brown fox"))
        .doesNotContain(1)
        .isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2.json", "llama3.json", "qwen3.json", "mistral-7b.json"})
  void decodesWhatItEncodes(String file) {
    Tokenizer tokenizer = shared(file);
    for (String text :
        List.of(
            "Hello world",
            "Spaces , before . punctuation ' kept",
            "naïve café, 日本語のテキスト, emoji 😀👍🏽",
            "def f(x):\n    return x ** 2  # square\n",
            SHAREGPT_TEXT)) {
      assertThat(tokenizer.decode(tokenizer.encode(text))).as(text).isEqualTo(text);
    }
  }

  /** The ids-only native path gives DJL's own encoding's ids, special-token text included. */
  @ParameterizedTest
  @ValueSource(strings = {"gpt2.json", "llama3.json", "qwen3.json", "mistral-7b.json"})
  void encodesAsDjlDoes(String file) throws Exception {
    Path path = SharedTestData.data("tokenizers/" + file);
    try (ai.djl.huggingface.tokenizers.HuggingFaceTokenizer djl =
        ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(
            path,
            java.util.Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "modelMaxLength", String.valueOf(Integer.MAX_VALUE)))) {
      for (String text :
          List.of(
              "",
              "Hello world",
              "<|endoftext|> <|begin_of_text|> <s> </s> <|im_start|>user",
              "naïve café, 日本語のテキスト, emoji 😀👍🏽",
              " hello".repeat(3000),
              SHAREGPT_TEXT)) {
        long[] expected = djl.encode(text, false, false).getIds();
        assertThat(shared(file).encode(text))
            .as("%s: %.40s", file, text)
            .containsExactly(java.util.Arrays.stream(expected).mapToInt(id -> (int) id).toArray());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2.json", "llama3.json"})
  void neverTruncatesLongTexts(String file) {
    // DJL's default model length is 512 tokens.
    String text = " hello".repeat(3000);

    assertThat(shared(file).countTokens(text)).isEqualTo(3000);
  }

  @Test
  void gpt2FileMatchesTheBuiltInR50kEncoding() {
    Tokenizer file = shared("gpt2.json");
    Tokenizer builtIn = Tokenizers.builtIn("r50k_base");
    for (String text :
        List.of(
            "Hello world",
            "  leading and trailing spaces  ",
            "naïve café, 日本語のテキスト, Ελληνικά",
            "emoji 😀👍🏽 and \u200b zero width",
            "public static void main(String[] args) { System.out.println(\"hi\"); }\n\ttab",
            "numbers 1234567890 3.14159 and URLs https://example.com/a?b=c",
            SHAREGPT_TEXT)) {
      assertThat(file.encode(text)).as(text).containsExactly(builtIn.encode(text));
    }
  }

  @Test
  void ordinaryTokenIdsLeaveOutSpecialTokens() {
    // gpt2: 50257 ids, the last is <|endoftext|>. Llama 3: 128000 ordinary ids, then 256
    // special ones. Qwen3: 151643 ordinary, then added tokens. Mistral: <unk>, <s>, </s> are 0..2.
    assertThat(shared("gpt2.json").ordinaryTokenIds())
        .hasSize(50256)
        .doesNotContain(50256)
        .contains(0, 15496, 50255);
    assertThat(shared("llama3.json").ordinaryTokenIds())
        .hasSize(128000)
        .doesNotContain(128000, 128001);
    assertThat(shared("qwen3.json").ordinaryTokenIds()).hasSize(151643).doesNotContain(151643);
    assertThat(shared("mistral-7b.json").ordinaryTokenIds())
        .hasSize(31997)
        .doesNotContain(0, 1, 2)
        .startsWith(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt2.json", "llama3.json", "qwen3.json", "mistral-7b.json"})
  void wholeTextIdsAreThoseWhoseDecodedTextIsWhole(String file) {
    Tokenizer tokenizer = shared(file);
    int[] ordinary = tokenizer.ordinaryTokenIds();
    String[] texts = tokenizer.decodeEach(ordinary);
    int[] decodedWhole =
        IntStream.range(0, ordinary.length)
            .filter(i -> Tokenizer.isWholeText(texts[i]))
            .map(i -> ordinary[i])
            .toArray();

    assertThat(tokenizer.wholeTextTokenIds()).containsExactly(decodedWhole);
  }

  @Test
  void byteLevelVocabulariesAreDecidedWithoutTheNativeLibrary() {
    // Byte-level files leave only their added tokens to be decoded; Mistral's byte-fallback
    // decoder leaves every id. Llama 3: 1,361 of its 128,000 ordinary tokens are parts of a
    // character.
    TokenizerJsonVocabulary.Vocabulary llama3 =
        TokenizerJsonVocabulary.read(SharedTestData.data("tokenizers/llama3.json"));
    TokenizerJsonVocabulary.Vocabulary mistral =
        TokenizerJsonVocabulary.read(SharedTestData.data("tokenizers/mistral-7b.json"));

    assertThat(llama3.undecided()).isEmpty();
    assertThat(llama3.wholeText().cardinality()).isEqualTo(126_639);
    assertThat(mistral.undecided()).containsExactly(mistral.ordinary());
  }

  @Test
  void byteLevelTokensAreWholeWhenTheirBytesAreWholeCharacters() {
    assertThat(TokenizerJsonVocabulary.byteLevelWhole("Ġthe")).isTrue(); // " the"
    assertThat(TokenizerJsonVocabulary.byteLevelWhole("Ã©")).isTrue(); // C3 A9: é
    assertThat(TokenizerJsonVocabulary.byteLevelWhole("Ã")).isFalse(); // C3: half of a character
    assertThat(TokenizerJsonVocabulary.byteLevelWhole("ï¿½")).isFalse(); // U+FFFD itself
    assertThat(TokenizerJsonVocabulary.byteLevelWhole("")).isFalse();
    assertThat(TokenizerJsonVocabulary.byteLevelWhole("the ")).isNull(); // a space is Ġ there
  }

  @Test
  void ordinaryTokenIdsAreAscending() {
    int[] ids = shared("mistral-7b.json").ordinaryTokenIds();

    assertThat(ids).isSorted();
  }

  @Test
  void encodesFromManyThreadsAsFromOne() {
    Tokenizer tokenizer = shared("llama3.json");
    List<String> texts =
        IntStream.range(0, 400)
            .mapToObj(i -> "request " + i + " " + SHAREGPT_TEXT.substring(i))
            .toList();
    List<int[]> sequential = texts.stream().map(tokenizer::encode).toList();

    List<int[]> parallel = texts.parallelStream().map(tokenizer::encode).toList();

    for (int i = 0; i < texts.size(); i++) {
      assertThat(parallel.get(i)).containsExactly(sequential.get(i));
    }
  }

  @Test
  void namesItselfByFileOrByDirectory(@TempDir Path dir) throws IOException {
    Files.copy(SharedTestData.data("tokenizers/gpt2.json"), dir.resolve("tokenizer.json"));

    assertThat(shared("gpt2.json").name()).isEqualTo("gpt2.json");
    assertThat(HuggingFaceFileTokenizer.load(dir).name())
        .isEqualTo(dir.getFileName() + "/tokenizer.json");
  }

  @Test
  void rejectsInvalidJsonNamingThePath(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": [1, 2");

    assertThatThrownBy(() -> HuggingFaceFileTokenizer.load(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("is not a Hugging Face tokenizer.json");
  }

  @Test
  void rejectsJsonThatIsNotATokenizer(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"Llama\"]}");

    assertThatThrownBy(() -> HuggingFaceFileTokenizer.load(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("is not a Hugging Face tokenizer.json");
    assertThatThrownBy(() -> TokenizerJsonVocabulary.ordinaryTokenIds(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            file + " is not a Hugging Face tokenizer.json (it has no model.vocab)");
  }

  @Test
  void rejectsMissingFileAndDirectoryWithoutTokenizer(@TempDir Path dir) {
    assertThatThrownBy(() -> HuggingFaceFileTokenizer.load(dir.resolve("nope.json")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "tokenizer file "
                + dir.resolve("nope.json")
                + " does not exist: pass the path of a tokenizer.json");
    assertThatThrownBy(() -> HuggingFaceFileTokenizer.load(dir))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "directory "
                + dir
                + " has no tokenizer.json: pass the path of the model's tokenizer.json file");
  }

  private static Tokenizer shared(String file) {
    return Tokenizers.fromFile(SharedTestData.data("tokenizers/" + file));
  }

  private static String longestShareGptPrompt() {
    try {
      JsonNode records =
          new ObjectMapper().readTree(SharedTestData.data("sharegpt-v3-sample50.json").toFile());
      String longest = "";
      for (JsonNode record : records) {
        String prompt = record.path("conversations").get(0).path("value").asText();
        longest = prompt.length() > longest.length() ? prompt : longest;
      }
      return longest;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sharegptSampleIsLongerThan512Tokens() {
    // The equality and round-trip checks above are only meaningful on a long text.
    assertThat(Tokenizers.builtIn("r50k_base").countTokens(SHAREGPT_TEXT)).isGreaterThan(512);
  }
}
