package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AzureTraceTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  @TempDir Path dir;

  private Path trace(String... lines) throws IOException {
    return Files.writeString(dir.resolve("azure.csv"), String.join("\r\n", lines) + "\r\n");
  }

  private static DatasetOptions options(Path file, int rows) {
    return DatasetOptions.builder().dataset(file).numPrompts(rows).build();
  }

  @Test
  void readsLengthsAndDateTimesToTheNanosecond() throws IOException {
    Path file =
        trace(
            "TIMESTAMP,ContextTokens,GeneratedTokens",
            "2023-11-16 18:15:46.6805900,37,4",
            "2023-11-16 18:15:47.0000000,12,109",
            "2023-11-16 18:15:50.12,25,1",
            "2023-11-17 18:15:46.6805901,3,8");

    List<Prompt> prompts = Datasets.load(DatasetFormat.AZURE, options(file, 4), R50K);

    assertThat(prompts).extracting(Prompt::promptTokens).containsExactly(37, 12, 25, 3);
    assertThat(prompts).extracting(Prompt::outputTokens).containsExactly(4, 109, 1, 8);
    for (Prompt prompt : prompts) {
      assertThat(R50K.countTokens(prompt.text())).isEqualTo(prompt.promptTokens());
    }
    assertThat(Datasets.traceOffsetsNanos(DatasetFormat.AZURE, options(file, 4)))
        .containsExactly(0, 319_410_000L, 3_439_410_000L, 86_400_000_000_100L);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "2024-05-10 00:00:00.009930+00:00 | 1715299200009930000",
        "2024-05-10T00:00:00Z | 1715299200000000000",
        "2024-05-10 02:00:00+02:00 | 1715299200000000000",
        "2024-05-10 02:00:00.5+0200 | 1715299200500000000",
        "2024-05-10 00:00:00 | 1715299200000000000",
      })
  void readsTheDateTimeShapesOfTheTracesAndTakesNoOffsetAsUtc(String text, long epochNanos) {
    assertThat(TraceCsv.dateTimeNanos(text)).isEqualTo(epochNanos);
  }

  @Test
  void findsItsColumnsByNameAmongOthers() throws IOException {
    Path file =
        trace(
            "\uFEFFGeneratedTokens, tenant ,ContextTokens,TIMESTAMP",
            "7,\"a, b\",30,2023-11-16 18:15:46",
            "9,c,31,2023-11-16 18:15:48");

    assertThat(Datasets.load(DatasetFormat.AZURE, options(file, 2), R50K))
        .extracting(Prompt::promptTokens, Prompt::outputTokens)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(30, 7), org.assertj.core.groups.Tuple.tuple(31, 9));
    assertThat(Datasets.traceOffsetsNanos(DatasetFormat.AZURE, options(file, 2)))
        .containsExactly(0, 2_000_000_000L);
  }

  @Test
  void aMissingColumnNamesTheHeaderAndWhatToPass() throws IOException {
    Path file = trace("TIMESTAMP,Tokens,GeneratedTokens", "2023-11-16 18:15:46,1,2");

    assertThatThrownBy(() -> Datasets.load(DatasetFormat.AZURE, options(file, 1), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + file
                + ", line 1 is the header 'TIMESTAMP,Tokens,GeneratedTokens', which has no column"
                + " 'ContextTokens': pass an Azure LLM inference trace CSV: a"
                + " TIMESTAMP,ContextTokens,GeneratedTokens header, then rows in time order");
  }

  @Test
  void aMalformedRowNamesTheFileTheLineAndTheColumn() throws IOException {
    Path time =
        trace("TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:46,1,2", "noon,1,2");
    assertThatThrownBy(() -> Datasets.load(DatasetFormat.AZURE, options(time, 2), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + time
                + ", line 3 has TIMESTAMP 'noon', not a date and time such as 2023-11-16"
                + " 18:15:46.6805900: every row must have TIMESTAMP,ContextTokens,GeneratedTokens"
                + " columns");

    Path tokens = trace("TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:46,1.5,2");
    assertThatThrownBy(() -> Datasets.load(DatasetFormat.AZURE, options(tokens, 1), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "dataset " + tokens + ", line 2 has ContextTokens '1.5', not a whole number of tokens");

    Path short_ = trace("TIMESTAMP,ContextTokens,GeneratedTokens", "2023-11-16 18:15:46,1");
    assertThatThrownBy(() -> Datasets.load(DatasetFormat.AZURE, options(short_, 1), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "dataset " + short_ + ", line 2 has 2 fields, fewer than the header's columns");
  }
}
