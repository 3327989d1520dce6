package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.servebench.error.InvalidInputException;
import dev.servebench.testing.Fuzz;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No dataset file may produce a stack trace or a hang: a loader either returns the prompts asked
 * for or throws {@link InvalidInputException} with a message that names the file.
 */
class DatasetFuzzTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  @TempDir Path dir;

  static Stream<Arguments> formats() {
    return Stream.of(
        Arguments.of(
            DatasetFormat.SHAREGPT,
            List.of(
                """
                [{"id": "a", "conversations": [{"from": "human", "value": "Hello there"},
                  {"from": "gpt", "value": "General Kenobi, you are a bold one"}]},
                 {"id": "b", "conversations": [{"from": "gpt", "value": "skipped"},
                  {"from": "human", "value": "turns"}]},
                 {"conversations": [{"from": "human", "value": "Why is the sky blue?"},
                  {"from": "gpt", "value": "Rayleigh scattering of sunlight"},
                  {"from": "human", "value": "more"}]}]
                """)),
        Arguments.of(
            DatasetFormat.IPEX,
            List.of(
                """
                {"gpt-j": {"32": "It is done, and submitted. You can play 'Survival of the\
                 Tastiest' on Android", "1024": "long"}, "llama": {"32": "short"}}
                """)),
        Arguments.of(
            DatasetFormat.JSONL,
            List.of(
                """
                {"prompt": "Hello world", "output_len": 16}

                {"prompt": "What is the capital of France?", "output_len": 64, "x": [1]}
                {"prompt": "Write a haiku about benchmarks.", "output_len": 128}
                """)),
        Arguments.of(
            DatasetFormat.MOONCAKE,
            List.of(
                """
                {"timestamp": 0, "input_length": 700, "output_length": 8, "hash_ids": [0, 1]}
                {"timestamp": 12.5, "input_length": 20, "output_length": 4, "hash_ids": [0]}

                {"timestamp": 3052, "input_length": 9, "output_length": 2}
                """)),
        Arguments.of(
            DatasetFormat.AZURE,
            List.of(
                """
                TIMESTAMP,ContextTokens,GeneratedTokens
                2023-11-16 18:15:46.6805900,374,44
                2023-11-16 18:15:50.9951690,396,109
                """)),
        Arguments.of(
            DatasetFormat.BURSTGPT,
            List.of(
                """
                Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
                5,ChatGPT,47,18,65,Conversation log
                45.25,"GPT-4",12,7,19,"API log"
                """)));
  }

  @ParameterizedTest
  @MethodSource("formats")
  void anyFileGivesPromptsOrAnInvalidInputExceptionNamingTheFile(
      DatasetFormat format, List<String> validFiles) {
    int iterations = Fuzz.iterations(100);
    assertTimeoutPreemptively(
        Fuzz.timeLimit(iterations),
        () -> {
          SplittableRandom random = new SplittableRandom(format.ordinal());
          for (int i = 0; i < iterations; i++) {
            byte[] valid =
                validFiles.get(random.nextInt(validFiles.size())).getBytes(StandardCharsets.UTF_8);
            byte[] content = i == 0 ? valid : contentFor(i, valid, random);
            // The valid file, also behind a byte-order mark, must load.
            boolean mustLoad = i == 0 || i % 10 == 2;
            check(format, i, content, 1 + random.nextInt(2), mustLoad);
          }
        });
  }

  private static byte[] contentFor(int iteration, byte[] valid, SplittableRandom random) {
    return switch (iteration % 10) {
      case 1 -> new byte[0];
      case 2 -> concat(BOM, valid);
      case 3 -> concat(BOM, Fuzz.mutate(valid, random));
      case 4 -> Fuzz.replaceJsonValue(valid, random);
      default -> Fuzz.mutate(valid, random);
    };
  }

  private void check(
      DatasetFormat format, int iteration, byte[] content, int numPrompts, boolean mustLoad)
      throws IOException {
    Path file = dir.resolve(format.displayName() + "-" + iteration + ".json");
    Files.write(file, content);
    DatasetOptions options =
        DatasetOptions.builder()
            .dataset(file)
            .numPrompts(numPrompts)
            .minInputTokens(null)
            .maxInputTokens(null)
            .minOutputTokens(null)
            .maxOutputTokens(null)
            .maxLength(null)
            .build();
    try {
      assertThat(Datasets.load(format, options, R50K)).hasSize(numPrompts);
    } catch (InvalidInputException expected) {
      assertThat(mustLoad).as("%s iteration %d: %s", format, iteration, expected).isFalse();
      assertThat(expected.getMessage())
          .as("%s iteration %d", format, iteration)
          .isNotBlank()
          .contains(file.toString());
    } catch (RuntimeException | StackOverflowError escaped) {
      fail(
          format
              + " iteration "
              + iteration
              + ": "
              + escaped
              + " escaped for file content "
              + new String(content, 0, Math.min(content.length, 300), StandardCharsets.UTF_8),
          escaped);
    } finally {
      Files.delete(file);
    }
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = new byte[first.length + second.length];
    System.arraycopy(first, 0, joined, 0, first.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }
}
