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

class MooncakeTraceTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  private static final String SHAPE =
      ": every line must be {\"timestamp\": <milliseconds>, \"input_length\": <tokens>,"
          + " \"output_length\": <tokens>, \"hash_ids\": [<block hash>, ...]}";

  @TempDir Path dir;

  private Path trace(String... lines) throws IOException {
    return Files.writeString(dir.resolve("trace.jsonl"), String.join("\n", lines) + "\n");
  }

  private static DatasetOptions options(Path file, int rows) {
    // Blocks of 16 tokens keep the prompts short; the real traces' are 512.
    return DatasetOptions.builder().dataset(file).numPrompts(rows).traceBlockTokens(16).build();
  }

  private static List<Prompt> load(Path file, int rows) {
    return Datasets.load(DatasetFormat.MOONCAKE, options(file, rows), R50K);
  }

  @Test
  void readsLengthsAndTimesInMillisecondsFromTheFirstRow() throws IOException {
    Path file =
        trace(
            "{\"timestamp\": 1000, \"input_length\": 40, \"output_length\": 5, \"hash_ids\": [1, 2,"
                + " 3]}",
            "",
            "{\"timestamp\": 1000, \"input_length\": 12, \"output_length\": 9, \"x\": \"ignored\"}",
            "{\"timestamp\": 4052.5, \"input_length\": 33, \"output_length\": 1, \"hash_ids\": []}",
            "{\"timestamp\": 11535, \"input_length\": 7, \"output_length\": 2, \"hash_ids\": [8]}");

    List<Prompt> prompts = load(file, 4);

    assertThat(prompts).extracting(Prompt::promptTokens).containsExactly(40, 12, 33, 7);
    assertThat(prompts).extracting(Prompt::outputTokens).containsExactly(5, 9, 1, 2);
    for (Prompt prompt : prompts) {
      assertThat(R50K.countTokens(prompt.text())).isEqualTo(prompt.promptTokens());
    }
    assertThat(Datasets.traceOffsetsNanos(DatasetFormat.MOONCAKE, options(file, 4)))
        .containsExactly(0, 0, 3_052_500_000L, 10_535_000_000L);
    assertThat(Datasets.traceOffsetsNanos(DatasetFormat.MOONCAKE, options(file, 2)))
        .containsExactly(0, 0);
  }

  @Test
  void rowsSharingHashIdsShareThoseBlocksText() throws IOException {
    Path file =
        trace(
            "{\"timestamp\": 0, \"input_length\": 40, \"output_length\": 4, \"hash_ids\": [1, 2,"
                + " 3]}",
            "{\"timestamp\": 1, \"input_length\": 45, \"output_length\": 4, \"hash_ids\": [1, 2,"
                + " 4]}",
            "{\"timestamp\": 2, \"input_length\": 20, \"output_length\": 4, \"hash_ids\": [1, 5]}",
            "{\"timestamp\": 3, \"input_length\": 40, \"output_length\": 4, \"hash_ids\": [9, 2,"
                + " 3]}",
            "{\"timestamp\": 4, \"input_length\": 40, \"output_length\": 4, \"hash_ids\": [1, 2,"
                + " 3]}",
            "{\"timestamp\": 5, \"input_length\": 32, \"output_length\": 4, \"hash_ids\": [1, 2]}");

    List<Prompt> prompts = load(file, 6);

    for (Prompt prompt : prompts) {
      assertThat(R50K.countTokens(prompt.text())).isEqualTo(prompt.promptTokens());
    }
    // Blocks 1 and 2 (16 tokens each) begin rows 0, 1 and 5, and are the whole of row 5.
    assertThat(sharedTokens(prompts.get(0), prompts.get(1))).isBetween(32, 33);
    assertThat(prompts.get(0).text()).startsWith(prompts.get(5).text());
    assertThat(prompts.get(1).text()).startsWith(prompts.get(5).text());
    // Block 1 alone begins row 2; row 3 starts with another block, so shares nothing at the start.
    assertThat(sharedTokens(prompts.get(0), prompts.get(2))).isBetween(16, 17);
    assertThat(sharedTokens(prompts.get(0), prompts.get(3))).isLessThan(2);
    // The same hash ids and length make the same prompt.
    assertThat(prompts.get(4)).isEqualTo(prompts.get(0));
  }

  @Test
  void readsOnlyTheRowsItUses() throws IOException {
    Path file =
        trace(
            "{\"timestamp\": 0, \"input_length\": 4, \"output_length\": 4}",
            "{\"timestamp\": 5, \"input_length\": 4, \"output_length\": 4}",
            "not JSON: a run of two rows never reads this far");

    assertThat(load(file, 2)).hasSize(2);
    assertThatThrownBy(() -> load(file, 3))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + file + ", line 3 is not valid JSON at column 1")
        .hasMessageEndingWith(SHAPE);
  }

  @Test
  void skipsRowsAskingForNoTokens() throws IOException {
    Path file =
        trace(
            "{\"timestamp\": 0, \"input_length\": 4, \"output_length\": 0}",
            "{\"timestamp\": 5, \"input_length\": 4, \"output_length\": 4}");

    assertThat(load(file, 1)).extracting(Prompt::outputTokens).containsExactly(4);
    assertThat(Datasets.traceOffsetsNanos(DatasetFormat.MOONCAKE, options(file, 1)))
        .containsExactly(0);
    assertThatThrownBy(() -> load(file, 2))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + file
                + " has 1 usable rows but --num-prompts asks for 2 (of 2 rows, 1 ask for 0 input"
                + " or output tokens): lower --num-prompts to 1 or fewer");
  }

  @Test
  void malformedRowsNameTheFileTheLineAndTheShape() throws IOException {
    Path missing = trace("{\"timestamp\": 0, \"output_length\": 4}");
    assertThatThrownBy(() -> load(missing, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset " + missing + ", line 1 has no whole-number field \"input_length\"" + SHAPE);

    Path negative = trace("{\"timestamp\": 0, \"input_length\": -3, \"output_length\": 4}");
    assertThatThrownBy(() -> load(negative, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("dataset " + negative + ", line 1 has \"input_length\" -3, below 0" + SHAPE);

    Path noTime = trace("{\"timestamp\": \"noon\", \"input_length\": 3, \"output_length\": 4}");
    assertThatThrownBy(() -> load(noTime, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + noTime
                + ", line 1 has no number field \"timestamp\" (milliseconds)"
                + SHAPE);

    Path badHash =
        trace("{\"timestamp\": 0, \"input_length\": 3, \"output_length\": 4, \"hash_ids\": [1.5]}");
    assertThatThrownBy(() -> load(badHash, 1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset " + badHash + ", line 1 has \"hash_ids\"[0] 1.5, not a whole number" + SHAPE);
  }

  @Test
  void rowsOutOfTimeOrderAreAnError() throws IOException {
    Path file =
        trace(
            "{\"timestamp\": 0, \"input_length\": 4, \"output_length\": 4}",
            "{\"timestamp\": 500, \"input_length\": 4, \"output_length\": 4}",
            "{\"timestamp\": 499, \"input_length\": 4, \"output_length\": 4}");

    assertThatThrownBy(() -> load(file, 3))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + file
                + ", line 3 comes before line 2 in time: a trace must be in time order; sort the"
                + " file by its timestamps");
  }

  private static int sharedTokens(Prompt a, Prompt b) {
    return R50K.countTokens(RandomDatasetTest.commonPrefix(List.of(a, b)));
  }
}
