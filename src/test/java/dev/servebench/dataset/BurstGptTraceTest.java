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

class BurstGptTraceTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  private static final String HEADER =
      "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type";

  @TempDir Path dir;

  private Path trace(String... lines) throws IOException {
    return Files.writeString(dir.resolve("burstgpt.csv"), String.join("\n", lines) + "\n");
  }

  private static DatasetOptions options(Path file, int rows) {
    return DatasetOptions.builder().dataset(file).numPrompts(rows).build();
  }

  @Test
  void readsLengthsAndTimesInSecondsAndSkipsFailedRequests() throws IOException {
    Path file =
        trace(
            HEADER,
            "5,ChatGPT,47,18,65,Conversation log",
            "45.5,GPT-4,120,0,120,API log",
            "60.000000001,ChatGPT,20,33,53,\"Conversation, \"\"log\"\"\"",
            "61,ChatGPT,9,2,11,Conversation log");

    List<Prompt> prompts = Datasets.load(DatasetFormat.BURSTGPT, options(file, 3), R50K);

    // The row with 0 response tokens failed in the trace: it is skipped.
    assertThat(prompts).extracting(Prompt::promptTokens).containsExactly(47, 20, 9);
    assertThat(prompts).extracting(Prompt::outputTokens).containsExactly(18, 33, 2);
    for (Prompt prompt : prompts) {
      assertThat(R50K.countTokens(prompt.text())).isEqualTo(prompt.promptTokens());
    }
    assertThat(Datasets.traceOffsetsNanos(DatasetFormat.BURSTGPT, options(file, 3)))
        .containsExactly(0, 55_000_000_001L, 56_000_000_000L);
  }

  @Test
  void theSeedMakesPromptsReproducible() throws IOException {
    Path file = trace(HEADER, "0,ChatGPT,30,3,33,API log", "1,ChatGPT,30,3,33,API log");

    List<Prompt> first = Datasets.load(DatasetFormat.BURSTGPT, options(file, 2), R50K);

    assertThat(Datasets.load(DatasetFormat.BURSTGPT, options(file, 2), R50K)).isEqualTo(first);
    // Rows of the same length get prompts of their own.
    assertThat(first.get(0).text()).isNotEqualTo(first.get(1).text());
    assertThat(
            Datasets.load(
                DatasetFormat.BURSTGPT,
                DatasetOptions.builder().dataset(file).numPrompts(2).seed(1).build(),
                R50K))
        .isNotEqualTo(first);
  }

  @Test
  void malformedRowsNameTheFileTheLineAndWhatToDo() throws IOException {
    Path tokens = trace(HEADER, "5,ChatGPT,many,18,65,Conversation log");
    assertThatThrownBy(() -> Datasets.load(DatasetFormat.BURSTGPT, options(tokens, 1), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + tokens
                + ", line 2 has Request tokens 'many', not a whole number of tokens: every row"
                + " must have Timestamp,Request tokens,Response tokens columns");

    Path time = trace(HEADER, "5 s,ChatGPT,1,18,19,Conversation log");
    assertThatThrownBy(() -> Datasets.load(DatasetFormat.BURSTGPT, options(time, 1), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + time + ", line 2 has Timestamp '5 s', not seconds");

    Path quote = trace(HEADER, "5,\"ChatGPT,1,18,19,Conversation log");
    assertThatThrownBy(() -> Datasets.load(DatasetFormat.BURSTGPT, options(quote, 1), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "dataset " + quote + ", line 2 has a quoted field that does not end on the line");

    Path late = trace(HEADER, "5,ChatGPT,1,18,19,API log", "4,ChatGPT,1,18,19,API log");
    assertThatThrownBy(() -> Datasets.load(DatasetFormat.BURSTGPT, options(late, 2), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + late + ", line 3 comes before line 2 in time");
  }

  @Test
  void aJsonFileIsNoCsvTrace() throws IOException {
    Path json = Files.writeString(dir.resolve("sharegpt.json"), "[{\"conversations\": []}]\n");

    assertThatThrownBy(() -> Datasets.load(DatasetFormat.BURSTGPT, options(json, 1), R50K))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "dataset " + json + ", line 1 is the header '[{\"conversations\": []}]'")
        .hasMessageEndingWith(
            "pass a BurstGPT trace CSV: a Timestamp,Model,Request tokens,Response tokens,Total"
                + " tokens,Log Type header, then rows in time order");
  }
}
