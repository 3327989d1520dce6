package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaultSpecTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // a probability, the parameter defaulted
        "HTTP_500@0.05                  | HTTP_500             | 0  |"
            + " WithProbability[probability=0.05]",
        // any case, dashes for underscores, a percentage
        "http-429:2@5%                  | HTTP_429             | 2  |"
            + " WithProbability[probability=0.05]",
        // a schedule instead of a probability
        "reset_after_tokens:7@every:100 | RESET_AFTER_TOKENS   | 7  | EveryNth[n=100]",
        // the default parameter of a fault that takes one
        "HUGE_RESPONSE@1                | HUGE_RESPONSE        | 64 |"
            + " WithProbability[probability=1.0]",
      })
  void parsesTheCommandLineForm(String text, Fault fault, long parameter, String requests) {
    FaultSpec spec = FaultSpec.parse(text);

    assertThat(spec.fault()).isEqualTo(fault);
    assertThat(spec.parameter()).isEqualTo(parameter);
    assertThat(spec.requests()).hasToString(requests);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "HTTP_500                  | needs '@'",
        "TEAPOT@0.1                | unknown fault 'TEAPOT'; known: [CLOSE_BEFORE_HEADERS",
        "HTTP_500:3@0.1            | HTTP_500 takes no parameter",
        "RESET_AFTER_TOKENS:x@0.1  | RESET_AFTER_TOKENS tokens must be a whole number, got 'x'",
        "HTTP_500@often            | 'often' is neither a probability (0.05, 5%) nor every:N",
        "HTTP_500@1.5              | probability must be from 0 to 1, got 1.5",
        "HTTP_500@every:0          | n must be at least 1, got 0",
        "HUGE_RESPONSE:0@1         | HUGE_RESPONSE size in MiB must be at least 1",
      })
  void refusesBadFormsSayingWhatIsWrong(String text, String message) {
    assertThatThrownBy(() -> FaultSpec.parse(text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("invalid --fault '" + text + "': ")
        .hasMessageContaining(message);
  }
}
