package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.SharedTestData;
import dev.servebench.dataset.ShareGptDataset.SkipReason;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShareGptDatasetTest {

  private static final Path SAMPLE = SharedTestData.data("sharegpt-v3-sample50.json");
  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  @TempDir Path dir;

  /** The sample's prompts are about 1000 tokens long: most are above the default 1024 bound. */
  private static DatasetOptions.Builder relaxed() {
    return DatasetOptions.builder().dataset(SAMPLE).maxInputTokens(2048).maxLength(4096);
  }

  @Test
  void loadsPromptsWithinTheBounds() {
    List<Prompt> prompts = load(relaxed().numPrompts(20).build());

    assertThat(prompts).hasSize(20).doesNotHaveDuplicates();
    for (Prompt prompt : prompts) {
      assertThat(prompt.promptTokens())
          .isEqualTo(R50K.countTokens(prompt.text()))
          .isBetween(4, 2048);
      assertThat(prompt.outputTokens()).isGreaterThanOrEqualTo(4);
      assertThat(prompt.promptTokens() + prompt.outputTokens()).isLessThanOrEqualTo(4096);
    }
  }

  @Test
  void seedChoosesTheSample() {
    DatasetOptions.Builder options = relaxed().numPrompts(10);

    assertThat(load(options.seed(7).build())).isEqualTo(load(options.seed(7).build()));
    assertThat(load(options.seed(7).build())).isNotEqualTo(load(options.seed(8).build()));
  }

  @Test
  void countsWithTheGivenTokenizer() {
    Tokenizer gpt2File = Tokenizers.fromFile(SharedTestData.data("tokenizers/gpt2.json"));
    DatasetOptions options = relaxed().numPrompts(10).build();

    // gpt2.json and r50k_base are the same vocabulary, so the same prompts pass with the same
    // counts.
    assertThat(Datasets.load(DatasetFormat.SHAREGPT, options, gpt2File)).isEqualTo(load(options));
  }

  @Test
  void tooFewAfterFilteringSaysWhichBoundDroppedWhat() {
    // With r50k_base, 3 sample records have completions of 2 or 3 tokens, 41 prompts are longer
    // than 1024 tokens, 6 pass.
    assertThatThrownBy(() -> load(DatasetOptions.builder().dataset(SAMPLE).numPrompts(10).build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + SAMPLE
                + " has 6 usable prompts but --num-prompts asks for 10: of 50 records read, 3 with"
                + " a completion shorter than --min-output-tokens-len 4, 41 with a prompt longer"
                + " than --max-input-tokens-len 1024, 6 remain; relax --min-output-tokens-len,"
                + " --max-input-tokens-len or lower --num-prompts to 6 or fewer");
  }

  @Test
  void nullBoundsLetEverythingThrough() {
    DatasetOptions unbounded =
        DatasetOptions.builder()
            .dataset(SAMPLE)
            .numPrompts(50)
            .minInputTokens(null)
            .maxInputTokens(null)
            .minOutputTokens(null)
            .maxOutputTokens(null)
            .maxLength(null)
            .build();

    assertThat(load(unbounded)).hasSize(50);
  }

  @Test
  void skipsUnusableRecordsAndCountsThem() throws IOException {
    Path file =
        write(
            """
            [
              {"id": "ok", "conversations": [
                {"from": "human", "value": "What is the capital of France?"},
                {"from": "gpt", "value": "The capital of France is Paris."},
                {"from": "human", "value": "And of Italy?"}]},
              {"id": "gpt-first", "conversations": [
                {"from": "gpt", "value": "Hello, how can I help?"},
                {"from": "human", "value": "Tell me a joke please."}]},
              {"id": "two-humans", "conversations": [
                {"from": "human", "value": "Tell me a joke please."},
                {"from": "human", "value": "Tell me another one now."}]},
              {"id": "single", "conversations": [{"from": "human", "value": "Anyone there?"}]},
              {"id": "none", "conversations": []},
              {"id": "empty", "conversations": [
                {"from": "human", "value": "  "},
                {"from": "gpt", "value": "Sorry, I did not catch that."}]},
              {"conversations": [
                {"from": "human", "value": "Extra keys are ignored, are they not?"},
                {"from": "gpt", "value": "Yes, they are ignored."}], "lang": "en", "model": "x"}
            ]
            """);

    ShareGptDataset.Tally tally =
        ShareGptDataset.select(file, DatasetOptions.builder().build(), R50K, Integer.MAX_VALUE, 0);

    assertThat(tally.recordsRead).isEqualTo(7);
    assertThat(tally.skipped)
        .isEqualTo(
            Map.of(
                SkipReason.FIRST_TURN_NOT_HUMAN, 1,
                SkipReason.SECOND_TURN_NOT_GPT, 1,
                SkipReason.FEWER_THAN_TWO_TURNS, 2,
                SkipReason.EMPTY_TEXT, 1));
    assertThat(tally.usable)
        .extracting(Prompt::text)
        .containsExactlyInAnyOrder(
            "What is the capital of France?", "Extra keys are ignored, are they not?");
    // "The capital of France is Paris." is 7 tokens.
    assertThat(tally.usable).contains(new Prompt("What is the capital of France?", 7, 7));
  }

  @Test
  void tooFewNamesTheSkippedRecords() throws IOException {
    Path file =
        write(
            """
            [{"conversations": [{"from": "gpt", "value": "Hi"}, {"from": "human", "value": "Hello"}]},
             {"conversations": [{"from": "human", "value": "What is two plus two?"},
                                {"from": "gpt", "value": "Two plus two is four."}]}]
            """);

    assertThatThrownBy(() -> load(DatasetOptions.builder().dataset(file).numPrompts(2).build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + file
                + " has 1 usable prompts but --num-prompts asks for 2: of 2 records read, 1 skipped"
                + " whose first turn is not from \"human\", 1 remain; lower --num-prompts to 1 or"
                + " fewer");
  }

  @Test
  void rejectsTextThatIsNotJsonWithItsLocation() throws IOException {
    Path file = write("[\n  {\"conversations\": [}\n]");

    assertThatThrownBy(() -> load(options(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + file + " is not valid JSON at line 2, column 22 (")
        .hasMessageEndingWith("): pass " + DatasetFiles.shape(DatasetFormat.SHAREGPT));
  }

  @Test
  void rejectsTruncatedFile() throws IOException {
    Path file = write("[\n  {\"conversations\": []},\n");

    assertThatThrownBy(() -> load(options(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + file + " is not valid JSON at line 3, column 1 (")
        .hasMessageContaining("end-of-input");
  }

  @Test
  void rejectsTopLevelObject() throws IOException {
    Path file = write("{\"conversations\": []}");

    assertThatThrownBy(() -> load(options(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("dataset " + file + " does not start with a JSON array: pass ");
  }

  @Test
  void rejectsRecordThatIsNotAnObject() throws IOException {
    Path file = write("[\n{\"conversations\": []},\n\"oops\"\n]");

    assertThatThrownBy(() -> load(options(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "dataset " + file + ", record [1] at line 3, column 1 is not a JSON object: ");
  }

  @Test
  void rejectsRecordWithoutConversations() throws IOException {
    Path file = write("[{\"id\": \"abc\", \"turns\": []}]");

    assertThatThrownBy(() -> load(options(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + file
                + ", record [0] (id \"abc\") at line 1, column 2 has no \"conversations\" array:"
                + " every record must be {\"conversations\": [{\"from\": \"human\", \"value\":"
                + " \"...\"}, {\"from\": \"gpt\", \"value\": \"...\"}, ...]}; fix or remove the"
                + " record");
  }

  @Test
  void rejectsTurnWithoutStringValue() throws IOException {
    Path file =
        write(
            "[{\"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}, {\"from\": \"gpt\","
                + " \"value\": 3}]}]");

    assertThatThrownBy(() -> load(options(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "record [0] at line 1, column 2 field conversations[1].value is missing or not a"
                + " string");
  }

  @Test
  void rejectsEmptyArray() throws IOException {
    Path file = write("[]");

    assertThatThrownBy(() -> load(options(file)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "dataset " + file + " holds no records: pass a ShareGPT JSON array");
  }

  @Test
  void rejectsMinimumAboveMaximum() {
    assertThatThrownBy(() -> load(relaxed().minInputTokens(3000).build()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--min-input-tokens-len 3000 is above --max-input-tokens-len 2048: no prompt could"
                + " pass; lower the first or raise the second");
  }

  /**
   * {@code count} records: record {@code i}'s prompt is "prompt i" followed by {@code i % 4 == 0 ?
   * 40 : 2} words, so with --max-input-tokens-len 20 every fourth record fails the bounds.
   */
  private Path numbered(int count) throws IOException {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ",\n")
          .append("{\"conversations\": [{\"from\": \"human\", \"value\": \"prompt ")
          .append(i)
          .append(" words".repeat(i % 4 == 0 ? 40 : 2))
          .append("\"}, {\"from\": \"gpt\", \"value\": \"an answer of six tokens\"}]}");
    }
    return write(json.append("]").toString());
  }

  @Test
  void sampleIsUniformOverThePassingRecordsOnly() throws IOException {
    Path file = numbered(16); // 12 pass, 4 fail
    DatasetOptions.Builder options =
        DatasetOptions.builder().dataset(file).numPrompts(4).maxInputTokens(20);
    Map<String, Integer> chosen = new java.util.TreeMap<>();
    int seeds = 1200;
    for (int seed = 0; seed < seeds; seed++) {
      for (Prompt prompt : load(options.seed(seed).build())) {
        chosen.merge(prompt.text().split(" ")[1], 1, Integer::sum);
      }
    }

    // Each of the 12 passing records is in 4 of 12 samples: 400 of 1,200, standard deviation 16.
    assertThat(chosen).hasSize(12).doesNotContainKeys("0", "4", "8", "12");
    assertThat(chosen.values()).allSatisfy(count -> assertThat(count).isBetween(320, 480));
  }

  @Test
  void allPassingRecordsAreTheSampleWhenAllAreAskedFor() throws IOException {
    Path file = numbered(16);

    List<Prompt> all =
        load(DatasetOptions.builder().dataset(file).numPrompts(12).maxInputTokens(20).build());

    assertThat(all)
        .extracting(prompt -> prompt.text().split(" ")[1])
        .containsExactlyInAnyOrder("1", "2", "3", "5", "6", "7", "9", "10", "11", "13", "14", "15");
  }

  @Test
  void onlyTheVisitedRecordsAreTokenized() throws IOException {
    Path file = numbered(5000);
    java.util.concurrent.atomic.AtomicInteger counted =
        new java.util.concurrent.atomic.AtomicInteger();
    Tokenizer counting =
        new Tokenizer() {
          @Override
          public String name() {
            return R50K.name();
          }

          @Override
          public String fingerprint() {
            return R50K.fingerprint();
          }

          @Override
          public int[] encode(String text) {
            counted.incrementAndGet();
            return R50K.encode(text);
          }

          @Override
          public int[] tokenEndOffsets(String text) {
            return R50K.tokenEndOffsets(text);
          }

          @Override
          public String decode(int[] tokenIds) {
            return R50K.decode(tokenIds);
          }

          @Override
          public int[] ordinaryTokenIds() {
            return R50K.ordinaryTokenIds();
          }
        };

    List<Prompt> prompts =
        Datasets.load(
            DatasetFormat.SHAREGPT,
            DatasetOptions.builder().dataset(file).numPrompts(5).maxInputTokens(20).build(),
            counting);

    assertThat(prompts).hasSize(5);
    // One batch of at most 64 records, a prompt and a completion each, of the 5,000.
    assertThat(counted.get()).isLessThanOrEqualTo(2 * 64);
  }

  private static DatasetOptions options(Path file) {
    return DatasetOptions.builder().dataset(file).numPrompts(1).build();
  }

  private static List<Prompt> load(DatasetOptions options) {
    return Datasets.load(DatasetFormat.SHAREGPT, options, R50K);
  }

  private Path write(String json) throws IOException {
    return Files.writeString(dir.resolve("sharegpt.json"), json);
  }
}
