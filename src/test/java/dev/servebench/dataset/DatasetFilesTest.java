package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** File problems are reported the same way whatever the format. */
class DatasetFilesTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(names = {"SHAREGPT", "IPEX", "JSONL", "MOONCAKE", "AZURE", "BURSTGPT"})
  void rejectsMissingDataset(DatasetFormat format) {
    assertThatThrownBy(() -> load(format, null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "--dataset is required with --dataset-format " + format + ": pass the path of ");
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(() -> load(format, missing))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("dataset file " + missing + " does not exist: check --dataset");
  }

  @ParameterizedTest
  @EnumSource(names = {"SHAREGPT", "IPEX", "JSONL", "MOONCAKE", "AZURE", "BURSTGPT"})
  void rejectsDirectory(DatasetFormat format) {
    assertThatThrownBy(() -> load(format, dir))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + dir + " is a directory: pass the path of ");
  }

  @ParameterizedTest
  @EnumSource(names = {"SHAREGPT", "IPEX", "JSONL", "MOONCAKE", "AZURE", "BURSTGPT"})
  void rejectsEmptyFile(DatasetFormat format) throws IOException {
    Path empty = Files.createFile(dir.resolve("empty"));

    assertThatThrownBy(() -> load(format, empty))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset file " + empty + " is empty: pass ");
  }

  private static void load(DatasetFormat format, Path dataset) {
    Datasets.load(format, DatasetOptions.builder().dataset(dataset).numPrompts(1).build(), R50K);
  }
}
