package dev.servebench.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BpeEncodingTokenizerTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // Ordinary ranks are 0..n-1 with the special tokens above them, except p50k_base, whose
    // whitespace runs 50257..50280 come after <|endoftext|>.
    "r50k_base, 50256, 50255, 50256",
    "p50k_base, 50280, 50280, 50256",
    "cl100k_base, 100256, 100255, 100257",
    "o200k_base, 199998, 199997, 199999",
  })
  void ordinaryTokenIdsLeaveOutTheSpecialTokens(
      String encoding, int ordinaryCount, int lastOrdinary, int endOfText) {
    int[] ids = Tokenizers.builtIn(encoding).ordinaryTokenIds();

    assertThat(ids.length).isEqualTo(ordinaryCount);
    assertThat(ids[0]).isZero();
    assertThat(ids[ids.length - 1]).isEqualTo(lastOrdinary);
    assertThat(ids).isSorted().doesNotContain(endOfText);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "r50k_base, '15496,995'",
    "cl100k_base, '9906,1917'",
    "o200k_base, '13225,2375'",
  })
  void encodesHelloWorld(String encoding, String ids) {
    int[] expected = Arrays.stream(ids.split(",")).mapToInt(Integer::parseInt).toArray();

    assertThat(Tokenizers.builtIn(encoding).encode("Hello world")).containsExactly(expected);
  }
}
