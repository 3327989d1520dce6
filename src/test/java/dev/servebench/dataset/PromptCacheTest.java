package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.tokenizer.ChatTemplate;
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
    return load(promptCache, options, null);
  }

  private PromptCache.Loaded load(
      PromptCache promptCache, DatasetOptions options, ChatTemplate template) {
    return promptCache.load(
        DatasetFormat.JSONL,
        options,
        R50K,
        template,
        () -> {
          builds.incrementAndGet();
          List<Prompt> bare = Datasets.load(DatasetFormat.JSONL, options, R50K);
          return template == null ? bare : Datasets.countedAsChat(bare, template, R50K);
        });
  }

  /** A chat template in a model directory of its own, as a tokenizer_config.json holds it. */
  private ChatTemplate template(String name, String source) throws IOException {
    Path model = Files.createDirectories(data.resolve(name));
    Files.writeString(
        model.resolve("tokenizer_config.json"),
        "{\"chat_template\": \"" + source.replace("\"", "\\\"") + "\"}");
    return ChatTemplate.besideTokenizer(model.resolve("tokenizer.json")).found().orElseThrow();
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
  void countsWithAChatTemplateAreKeptApartFromBareOnesAndOtherTemplates() throws IOException {
    Path file = jsonl("a.jsonl", "one two three", "four five", "six");
    PromptCache promptCache = new PromptCache(cache);
    ChatTemplate wrapped = template("wrapped", "[user] {{ messages[0].content }} [assistant]");
    ChatTemplate other = template("other", "{{ messages[0].content }} <reply>");

    List<Prompt> bare = load(promptCache, options(file, 1)).prompts();
    PromptCache.Loaded templated = load(promptCache, options(file, 1), wrapped);
    PromptCache.Loaded otherTemplate = load(promptCache, options(file, 1), other);

    assertThat(templated.fromCache()).isFalse();
    assertThat(otherTemplate.fromCache()).isFalse();
    assertThat(builds).hasValue(3);
    // The same texts, counted differently.
    assertThat(templated.prompts())
        .extracting(Prompt::text)
        .isEqualTo(bare.stream().map(Prompt::text).toList());
    for (int i = 0; i < bare.size(); i++) {
      assertThat(templated.prompts().get(i).promptTokens())
          .isEqualTo(R50K.countTokens("[user] " + bare.get(i).text() + " [assistant]"))
          .isGreaterThan(bare.get(i).promptTokens());
    }
    // Each is found again under its own key.
    assertThat(load(promptCache, options(file, 1), wrapped).prompts())
        .isEqualTo(templated.prompts());
    assertThat(load(promptCache, options(file, 1)).prompts()).isEqualTo(bare);
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
