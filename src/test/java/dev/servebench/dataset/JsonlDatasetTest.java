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

class JsonlDatasetTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  private static final String THREE_LINES =
      """
      {"prompt": "Hello world", "output_len": 16}

      {"prompt": "What is the capital of France?", "output_len": 64, "source": "ignored"}
      {"prompt": "Write a haiku about benchmarks.", "output_len": 128}
      """;

  @TempDir Path dir;

  @Test
  void samplesLinesCountingPromptTokens() throws IOException {
    List<Prompt> prompts = load(write(THREE_LINES), 3, 0);

    assertThat(prompts)
        .containsExactlyInAnyOrder(
            new Prompt("Hello world", 2, 16),
            new Prompt("What is the capital of France?", 7, 64),
            new Prompt(
                "Write a haiku about benchmarks.",
                R50K.countTokens("Write a haiku about benchmarks."),
                128));
  }

  @Test
  void seedChoosesTheSample() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      text.append("{\"prompt\": \"prompt number ").append(i).append("\", \"output_len\": 8}\n");
    }
    Path file = write(text.toString());

    assertThat(load(file, 10, 1)).isEqualTo(load(file, 10, 1)).isNotEqualTo(load(file, 10, 2));
  }

  @Test
  void rejectsAskingForMoreLinesThanTheFileHas() throws IOException {
    Path file = write(THREE_LINES);

    assertThatThrownBy(() -> load(file, 4, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + file
                + " has 3 prompts but --num-prompts asks for 4: lower --num-prompts to 3 or fewer,"
                + " or add lines");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"prompt\": \"hi\", \"output_len\": 4 | is not valid JSON at column ",
        "[\"hi\", 4] | is not a JSON object: ",
        "{\"text\": \"hi\", \"output_len\": 4} | has no string field \"prompt\": ",
        "{\"prompt\": \" \", \"output_len\": 4} | has an empty \"prompt\": ",
        "{\"prompt\": \"hi\"} | has no whole-number field \"output_len\": ",
        "{\"prompt\": \"hi\", \"output_len\": \"4\"} | has no whole-number field \"output_len\": ",
        "{\"prompt\": \"hi\", \"output_len\": 4.5} | has no whole-number field \"output_len\": ",
        "{\"prompt\": \"hi\", \"output_len\": 0} | has \"output_len\" 0, below 1: ",
      })
  void rejectsBadLineNamingItsNumberAndField(String badLine, String problem) throws IOException {
    Path file = write("{\"prompt\": \"fine\", \"output_len\": 4}\n\n" + badLine + "\n");

    assertThatThrownBy(() -> load(file, 1, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + file + ", line 3 " + problem.strip())
        .hasMessageEndingWith("every line must be {\"prompt\": \"...\", \"output_len\": 128}");
  }

  @Test
  void skipsAByteOrderMark() throws IOException {
    // Found by fuzzing: ShareGPT and IPEX files with a BOM loaded, JSONL ones failed at column 1.
    Path file = write("\uFEFF{\"prompt\": \"Hello world\", \"output_len\": 16}\n");

    assertThat(load(file, 1, 0)).containsExactly(new Prompt("Hello world", 2, 16));
  }

  @Test
  void rejectsInvalidUtf8SayingAfterWhichLine() throws IOException {
    // Found by fuzzing: the message was a bare MalformedInputException.
    Path file = dir.resolve("latin1.jsonl");
    Files.write(
        file,
        new byte[] {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xE9, '"', '}'});

    assertThatThrownBy(() -> load(file, 1, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + file
                + " is not UTF-8 text: a byte that is not UTF-8 comes within its first lines (is it a binary"
                + " file?); pass a JSONL file saved as UTF-8");
  }

  @Test
  void rejectsFileOfBlankLines() throws IOException {
    Path file = write("\n  \n");

    assertThatThrownBy(() -> load(file, 1, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + file + " holds only blank lines: pass a JSONL file");
  }

  private static List<Prompt> load(Path file, int numPrompts, long seed) {
    DatasetOptions options =
        DatasetOptions.builder().dataset(file).numPrompts(numPrompts).seed(seed).build();
    return Datasets.load(DatasetFormat.JSONL, options, R50K);
  }

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("prompts.jsonl"), text);
  }

  @Test
  void readsVllmsOutputTokensForOutputLen() throws IOException {
    Path file = write("{\"prompt\": \"Hello world\", \"output_tokens\": 12}\n");

    assertThat(load(file, 1, 0)).containsExactly(new Prompt("Hello world", 2, 12));
    assertThat(DatasetFormat.parse("custom")).isEqualTo(DatasetFormat.JSONL);
  }
}
