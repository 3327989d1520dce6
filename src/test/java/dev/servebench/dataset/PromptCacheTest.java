package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptCacheTest {

  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  @TempDir Path cache;
  @TempDir Path data;

  private final AtomicInteger builds = new AtomicInteger();

  private PromptCache.Loaded load(PromptCache promptCache, DatasetOptions options) {
    return promptCache.load(
        DatasetFormat.JSONL,
        options,
        R50K,
        () -> {
          builds.incrementAndGet();
          return Datasets.load(DatasetFormat.JSONL, options, R50K);
        });
  }

  private DatasetOptions options(Path file, long seed) {
    return DatasetOptions.builder().dataset(file).numPrompts(2).seed(seed).build();
  }

  private Path jsonl(String name, String... prompts) throws IOException {
    StringBuilder text = new StringBuilder();
    for (String prompt : prompts) {
      text.append("{\"prompt\": \"").append(prompt).append("\", \"output_len\": 7}\n");
    }
    return Files.writeString(data.resolve(name), text);
  }

  @Test
  void theSecondLoadComesFromTheCacheAndEqualsTheFirst() throws IOException {
    Path file = jsonl("a.jsonl", "one two three", "four five", "six");
    PromptCache promptCache = new PromptCache(cache);
    PromptCache.Loaded first = load(promptCache, options(file, 1));
    PromptCache.Loaded second = load(promptCache, options(file, 1));
    assertThat(first.fromCache()).isFalse();
    assertThat(second.fromCache()).isTrue();
    assertThat(second.prompts()).isEqualTo(first.prompts());
    assertThat(builds).hasValue(1);
  }

  @Test
  void anotherSeedOrAnEditedFileIsAMiss() throws IOException {
    Path file = jsonl("a.jsonl", "one two three", "four five", "six");
    PromptCache promptCache = new PromptCache(cache);
    load(promptCache, options(file, 1));
    assertThat(load(promptCache, options(file, 2)).fromCache()).isFalse();
    jsonl("a.jsonl", "seven", "eight", "nine");
    PromptCache.Loaded edited = load(promptCache, options(file, 1));
    assertThat(edited.fromCache()).isFalse();
    assertThat(edited.prompts()).extracting(Prompt::text).doesNotContain("one two three");
    assertThat(builds).hasValue(3);
  }

  @Test
  void aDamagedEntryIsRebuilt() throws IOException {
    Path file = jsonl("a.jsonl", "one two three", "four five", "six");
    PromptCache promptCache = new PromptCache(cache);
    List<Prompt> original = load(promptCache, options(file, 1)).prompts();
    try (Stream<Path> entries = Files.list(cache)) {
      for (Path entry : entries.toList()) {
        Files.write(entry, new byte[] {1, 2, 3});
      }
    }
    PromptCache.Loaded rebuilt = load(promptCache, options(file, 1));
    assertThat(rebuilt.fromCache()).isFalse();
    assertThat(rebuilt.prompts()).isEqualTo(original);
    assertThat(load(promptCache, options(file, 1)).fromCache()).isTrue();
  }

  @Test
  void noDirectoryMeansNoCaching() throws IOException {
    Path file = jsonl("a.jsonl", "one", "two");
    PromptCache off = new PromptCache(null);
    load(off, options(file, 1));
    assertThat(load(off, options(file, 1)).fromCache()).isFalse();
    assertThat(builds).hasValue(2);
  }

  @Test
  void anUnwritableDirectoryIsNoError() throws IOException {
    Path file = jsonl("a.jsonl", "one", "two");
    Path notADirectory = Files.writeString(data.resolve("plain-file"), "x");
    PromptCache.Loaded loaded =
        load(new PromptCache(notADirectory.resolve("sub")), options(file, 1));
    assertThat(loaded.prompts()).hasSize(2);
  }
}
