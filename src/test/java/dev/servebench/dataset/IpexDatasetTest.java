package dev.servebench.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.SharedTestData;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpexDatasetTest {

  private static final Path SAMPLE = SharedTestData.data("ipex-prompt.json");
  private static final Tokenizer R50K = Tokenizers.builtIn("r50k_base");

  @TempDir Path dir;

  @Test
  void sendsTheChosenPromptToEveryRequest() {
    List<Prompt> prompts =
        load(DatasetOptions.builder().dataset(SAMPLE).modelType("gpt-j").numPrompts(5).build());

    assertThat(prompts).hasSize(5).containsOnly(prompts.get(0));
    // IPEX sized its gpt-j prompts with GPT-J's own tokenizer, which is r50k_base.
    assertThat(prompts.get(0).promptTokens()).isEqualTo(32);
    // Without --max-new-tokens, ask for as many tokens as the prompt has, as the original did.
    assertThat(prompts.get(0).outputTokens()).isEqualTo(32);
  }

  @Test
  void asksForMaxNewTokensWhenGiven() {
    DatasetOptions options =
        DatasetOptions.builder()
            .dataset(SAMPLE)
            .numPrompts(2)
            .modelType("llama")
            .inputTokens(1024)
            .maxNewTokens(128)
            .build();

    Prompt prompt = load(options).get(0);

    assertThat(prompt.outputTokens()).isEqualTo(128);
    assertThat(prompt.promptTokens()).isEqualTo(R50K.countTokens(prompt.text())).isGreaterThan(500);
  }

  @Test
  void rejectsUnknownModelTypeListingTheKnownOnes() {
    DatasetOptions options = DatasetOptions.builder().dataset(SAMPLE).modelType("gpt-5").build();

    assertThatThrownBy(() -> load(options))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + SAMPLE
                + " has no prompts for --model-type 'gpt-5': use one of gpt-j, llama, gpt-neox,"
                + " opt, falcon, bloom, chatglm, codegen, gptbigcode, baichuan, baichuan2, t5,"
                + " mistral, mpt, qwen, mixtral");
  }

  @Test
  void rejectsUnknownLengthListingTheLengthsOfTheModelType() {
    DatasetOptions options =
        DatasetOptions.builder().dataset(SAMPLE).modelType("qwen").inputTokens(64).build();

    assertThatThrownBy(() -> load(options))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "dataset "
                + SAMPLE
                + " has no prompt of --input-tokens 64 for model type 'qwen': use one of 32, 1024");
  }

  @Test
  void rejectsWrongShapes() throws IOException {
    assertThatThrownBy(() -> load(options(write("[1, 2]"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(" is not a JSON object: pass an IPEX prompt file");
    assertThatThrownBy(() -> load(options(write("{\"gpt-j\": [\"a\"]}"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            ", field \"gpt-j\" is not an object of {\"<input length>\": \"<prompt>\"}");
    assertThatThrownBy(() -> load(options(write("{\"gpt-j\": {\"32\": 7}}"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(", field \"gpt-j\".\"32\" is not a non-empty string: fix the file");
    assertThatThrownBy(() -> load(options(write("{\"gpt-j\": {\"32\": \"unterminated}}"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(" is not valid JSON at line 1, column ");
  }

  @Test
  void rejectsMaxNewTokensBelowOne() {
    // Checked with the options, for every format.
    assertThatThrownBy(() -> DatasetOptions.builder().dataset(SAMPLE).maxNewTokens(0).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--max-new-tokens must be at least 1, got 0");
  }

  private static DatasetOptions options(Path file) {
    return DatasetOptions.builder().dataset(file).modelType("gpt-j").numPrompts(1).build();
  }

  private static List<Prompt> load(DatasetOptions options) {
    return Datasets.load(DatasetFormat.IPEX, options, R50K);
  }

  private Path write(String json) throws IOException {
    return Files.writeString(dir.resolve("prompt.json"), json);
  }
}
