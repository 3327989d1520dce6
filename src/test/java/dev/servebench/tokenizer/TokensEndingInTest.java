package dev.servebench.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tokens per streamed piece add up to the whole text's count however the text was cut: inside
 * words, inside a character's UTF-8 bytes' worth of text, around emoji outside the BMP.
 */
class TokensEndingInTest {

  private static final String TEXT =
      "The quick brown fox \u2014 na\u00efve caf\u00e9s, \u65e5\u672c\u8a9e\u306e\u6587\u7ae0,"
          + " emoji \uD83D\uDE00\uD83D\uDC4D and  spaces\n\nnew lines\tand tabs;"
          + " code: for (int i = 0; i < n; i++) { sum += a[i]; } 12345678 done.";

  static Stream<Tokenizer> tokenizers() {
    Path shared =
        Path.of(System.getProperty("servebench.shared", "../shared"), "data", "tokenizers");
    return Stream.of(
        Tokenizers.builtIn("r50k_base"),
        Tokenizers.builtIn("cl100k_base"),
        Tokenizers.fromFile(shared.resolve("gpt2.json")),
        Tokenizers.fromFile(shared.resolve("llama3.json")),
        Tokenizers.fromFile(shared.resolve("qwen3.json")),
        Tokenizers.fromFile(shared.resolve("mistral-7b.json")));
  }

  @ParameterizedTest
  @MethodSource("tokenizers")
  void tokenEndsAreCharIndicesEndingAtTheText(Tokenizer tokenizer) {
    int[] ends = tokenizer.tokenEndOffsets(TEXT);
    assertThat(ends).hasSize(tokenizer.countTokens(TEXT));
    for (int i = 1; i < ends.length; i++) {
      assertThat(ends[i]).isGreaterThanOrEqualTo(ends[i - 1]);
    }
    assertThat(ends[ends.length - 1]).isEqualTo(TEXT.length());
  }

  @ParameterizedTest
  @MethodSource("tokenizers")
  void piecesCutAnywhereAddUpToTheWhole(Tokenizer tokenizer) {
    int whole = tokenizer.countTokens(TEXT);
    Random random = new Random(7);
    for (int trial = 0; trial < 50; trial++) {
      List<String> pieces = new ArrayList<>();
      int start = 0;
      while (start < TEXT.length()) {
        int end = Math.min(TEXT.length(), start + 1 + random.nextInt(6));
        if (end < TEXT.length() && Character.isLowSurrogate(TEXT.charAt(end))) {
          end++; // a Java string never holds half a character
        }
        pieces.add(TEXT.substring(start, end));
        start = end;
      }
      int[] counts = tokenizer.tokensEndingIn(pieces);
      assertThat(Arrays.stream(counts).sum()).isEqualTo(whole);
      assertThat(Arrays.stream(counts).min().orElse(0)).isNotNegative();
      int separately = pieces.stream().mapToInt(tokenizer::countTokens).sum();
      assertThat(separately).as("counting each piece alone overcounts").isGreaterThan(whole);
    }
  }
}
