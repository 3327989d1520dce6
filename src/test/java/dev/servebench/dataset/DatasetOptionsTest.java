package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import org.junit.jupiter.api.Test;

class DatasetOptionsTest {

  @Test
  void builderStartsFromTheCommandLineDefaults() {
    DatasetOptions options = DatasetOptions.builder().build();

    assertThat(options.numPrompts()).isEqualTo(1000);
    assertThat(options.seed()).isZero();
    assertThat(options.minInputTokens()).isEqualTo(4);
    assertThat(options.maxInputTokens()).isEqualTo(1024);
    assertThat(options.minOutputTokens()).isEqualTo(4);
    assertThat(options.maxOutputTokens()).isNull(); // no bound, as the seed
    assertThat(options.maxLength()).isEqualTo(2048);
    assertThat(options.modelType()).isEqualTo("llama"); // the seed's default
    assertThat(options.inputTokens()).isEqualTo(32);
    assertThat(options.maxNewTokens()).isNull();
  }

  @Test
  void rejectsFewerThanOnePrompt() {
    assertThatThrownBy(() -> DatasetOptions.builder().numPrompts(0).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--num-prompts must be at least 1, got 0");
  }
}
