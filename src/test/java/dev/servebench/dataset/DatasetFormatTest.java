package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetFormatTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ShareGPT, SHAREGPT",
    "sharegpt, SHAREGPT",
    "IPEX, IPEX",
    "ipex, IPEX",
    "Synthesis, SYNTHESIS",
    "SYNTHESIS, SYNTHESIS",
    "jsonl, JSONL",
    "random, RANDOM",
    "SharedPrefix, SHARED_PREFIX",
    "generated-shared-prefix, SHARED_PREFIX",
    "mooncake, MOONCAKE",
    "Azure, AZURE",
    "AzureTrace, AZURE",
    "burstgpt, BURSTGPT",
  })
  void parsesNamesIgnoringCase(String name, DatasetFormat format) {
    assertThat(DatasetFormat.parse(name)).isEqualTo(format);
  }

  @Test
  void rejectsUnknownNameListingTheChoices() {
    assertThatThrownBy(() -> DatasetFormat.parse("csv"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "unknown --dataset-format 'csv': use one of ShareGPT, IPEX, Synthesis, JSONL, Random,"
                + " SharedPrefix, Mooncake, Azure, BurstGPT");
  }

  @Test
  void onlyTheTracesAreReplayedAtTheirOwnTimesAndOnlyGeneratorsNeedNoFile() {
    assertThat(EnumSet.allOf(DatasetFormat.class).stream().filter(DatasetFormat::isTrace))
        .containsExactly(DatasetFormat.MOONCAKE, DatasetFormat.AZURE, DatasetFormat.BURSTGPT);
    assertThat(EnumSet.allOf(DatasetFormat.class).stream().filter(f -> !f.readsFile()))
        .containsExactly(
            DatasetFormat.SYNTHESIS, DatasetFormat.RANDOM, DatasetFormat.SHARED_PREFIX);
  }

  @Test
  void printsItsDisplayName() {
    assertThat(DatasetFormat.SHAREGPT).hasToString("ShareGPT");
  }
}
