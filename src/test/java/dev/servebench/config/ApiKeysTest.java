package dev.servebench.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  @TempDir Path directory;

  @Test
  void flagFileOrEnvironmentGiveTheKeyStripped() throws IOException {
    Path file = Files.writeString(directory.resolve("key"), "sk-file \nsecond line\n");
    assertThat(ApiKeys.resolve(" sk-flag ", null, "sk-env")).isEqualTo("sk-flag");
    assertThat(ApiKeys.resolve(null, file, "sk-env")).isEqualTo("sk-file");
    assertThat(ApiKeys.resolve(null, null, "sk-env")).isEqualTo("sk-env");
    assertThat(ApiKeys.resolve(null, null, " ")).isNull();
  }

  @Test
  void aKeyThatWouldBreakTheHeaderIsRefusedWithoutShowingIt() {
    for (String key : new String[] {"sk-a\rInjected: yes", "sk-\u0000", "sk-\u00e9"}) {
      assertThatThrownBy(() -> ApiKeys.resolve(key, null, null))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("printable ASCII")
          .hasMessageNotContaining("sk-");
    }
  }
}
