package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.testing.Cli;
import org.junit.jupiter.api.Test;

class MockServerCommandTest {

  @Test
  void aNegativeCapacityIsBadInputNamingTheFlagsSetting() {
    Cli.Result result = Cli.run("mock-server", "--port", "0", "--max-running", "-1");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("max running sequences").doesNotContain("Exception");
  }

  @Test
  void aTokenBudgetThatIsNotANumberIsAUsageError() {
    Cli.Result result = Cli.run("mock-server", "--port", "0", "--token-budget", "fast");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--token-budget");
  }
}
