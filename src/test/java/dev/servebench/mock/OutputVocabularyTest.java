package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutputVocabularyTest {

  @ParameterizedTest
  @ValueSource(strings = {"r50k_base", "cl100k_base"})
  void randomOutputRetokenizesToExactlyItsTokenCount(String encoding) {
    Tokenizer tokenizer = Tokenizers.builtIn(encoding);
    OutputVocabulary vocabulary = OutputVocabulary.of(tokenizer);
    SplittableRandom random = new SplittableRandom(42);
    int tokens = 10_000;

    StringBuilder text = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      text.append(vocabulary.text(vocabulary.draw(random)));
    }

    assertThat(vocabulary.size()).isGreaterThan(1_000);
    assertThat(tokenizer.countTokens(text.toString())).isEqualTo(tokens);
  }

  @ParameterizedTest
  @ValueSource(strings = {"r50k_base", "cl100k_base"})
  void everyTokenIsOneSpaceAndLowercaseLetters(String encoding) {
    Tokenizer tokenizer = Tokenizers.builtIn(encoding);
    OutputVocabulary vocabulary = OutputVocabulary.of(tokenizer);

    for (int i = 0; i < vocabulary.size(); i++) {
      assertThat(vocabulary.text(i)).matches(" [a-z]{2,}");
      assertThat(tokenizer.countTokens(vocabulary.text(i))).isEqualTo(1);
    }
  }
}
