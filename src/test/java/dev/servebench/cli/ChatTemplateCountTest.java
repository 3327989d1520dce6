package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.SharedTestData;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import dev.servebench.testing.HubCache;
import dev.servebench.tokenizer.ChatTemplate;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a chat endpoint a run counts each prompt as the server does, rendered with the model's chat
 * template, found beside the tokenizer in a Hugging Face cache laid out in a temporary directory.
 * The mock server renders the messages with the same template (as vLLM does), so its {@code
 * usage.prompt_tokens} is the truth the local counts are compared with. Llama 3's template adds 10
 * tokens to a lone user message: BOS, the user header ({@code <|start_header_id|>}, {@code user},
 * {@code <|end_header_id|>}, {@code "\n\n"}), {@code <|eot_id|>} and the assistant's header.
 */
class ChatTemplateCountTest {

  private static final String LLAMA = "meta-llama/Meta-Llama-3-8B-Instruct";
  private static final String REVISION = "e1945c40cd546c78e41f1151f4db032b271faeaa";
  private static final Path LLAMA3 = SharedTestData.data("tokenizers/llama3.json");
  private static final Path LLAMA3_CONFIG = SharedTestData.data("tokenizers/llama3-config.json");
  private static final int TEMPLATE_TOKENS = 10;

  @TempDir Path root;
  private Path hub;
  private Path results;
  private Path snapshot;
  private Map<String, String> environment;

  @BeforeEach
  void layOutCache() throws IOException {
    hub = root.resolve("hub");
    results = root.resolve("results");
    Path home = Files.createDirectories(root.resolve("home"));
    environment = Map.of("HOME", home.toString(), "HF_HUB_CACHE", hub.toString());
    snapshot =
        HubCache.addSnapshot(
            hub,
            LLAMA,
            REVISION,
            true,
            Map.of("tokenizer.json", LLAMA3, "tokenizer_config.json", LLAMA3_CONFIG));
  }

  /** A Llama 3 server that renders chat messages with the template when it has one. */
  private static MockServer llamaServer(ChatTemplate template) {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(2)
            .itlMillis(1)
            .fixedOutputTokens(3)
            .modelName(LLAMA)
            .tokenizer(Tokenizers.fromFile(LLAMA3))
            .chatTemplate(template)
            .build());
  }

  private ChatTemplate llamaTemplate() {
    return ChatTemplate.besideTokenizer(snapshot.resolve("tokenizer.json")).found().orElseThrow();
  }

  private Cli.Result run(MockServer server, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-endpoint-base",
                server.baseUrl(),
                "--model-name",
                LLAMA,
                "--dataset-format",
                "Synthesis",
                "--num-prompts",
                "8",
                "--input-len-mean",
                "40",
                "--input-len-stddev",
                "10",
                "--stream",
                "--no-prompt-cache",
                "--results-dir",
                results.toString()));
    args.addAll(List.of(extra));
    return Cli.run(environment, args.toArray(String[]::new));
  }

  private JsonNode summary() {
    return Cli.json(Cli.onlyFile(results, "-summary.json"));
  }

  @Test
  void chatPromptsAreCountedWithTheTemplateAsTheServerCountsThem() {
    try (MockServer server = llamaServer(llamaTemplate())) {
      Cli.Result result = run(server);

      assertThat(result.exitCode()).as(result.err()).isZero();
      Path config = snapshot.resolve("tokenizer_config.json");
      assertThat(result.err())
          .contains("servebench: prompts counted as the chat template in " + config);
      JsonNode summary = summary();
      JsonNode check = summary.path("tokens").path("prompt_server_vs_local");
      assertThat(check.path("compared").asInt()).isEqualTo(8);
      assertThat(check.path("max_abs_difference").asInt()).isZero();
      assertThat(summary.path("warnings")).isEmpty();
      // The synthetic texts keep their asked-for length: the template comes on top of it.
      assertThat(check.path("local_mean").asDouble()).isGreaterThan(TEMPLATE_TOKENS + 20.0);
      JsonNode configuration = summary.path("configuration");
      assertThat(configuration.path("chat_template").asText()).isEqualTo(config.toString());
      assertThat(configuration.path("chat_template_applied").asBoolean()).isTrue();
    }
  }

  @Test
  void noChatTemplateCountsTheBareTextAndTheServerSaysMore() {
    try (MockServer server = llamaServer(llamaTemplate())) {
      Cli.Result result = run(server, "--no-chat-template");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).doesNotContain("chat template");
      JsonNode summary = summary();
      JsonNode check = summary.path("tokens").path("prompt_server_vs_local");
      // Every prompt falls short of the server's count by the template's tokens; the template
      // also trims the text, which can change how its ends tokenize by a token.
      assertThat(check.path("compared").asInt()).isEqualTo(8);
      assertThat(check.path("mean_difference").asDouble())
          .isBetween(TEMPLATE_TOKENS - 1.0, TEMPLATE_TOKENS + 1.0);
      assertThat(check.path("max_abs_difference").asInt())
          .isBetween(TEMPLATE_TOKENS, TEMPLATE_TOKENS + 2);
      // A difference the same for every prompt is a template's, not another tokenizer's.
      assertThat(summary.path("warnings")).isEmpty();
      JsonNode configuration = summary.path("configuration");
      assertThat(configuration.path("chat_template").isNull()).isTrue();
      assertThat(configuration.path("chat_template_applied").asBoolean()).isFalse();
    }
  }

  @Test
  void completionsNeverApplyATemplate() {
    // A completions server tokenizes the prompt as it comes: the mock counts the bare text.
    try (MockServer server = llamaServer(llamaTemplate())) {
      Cli.Result result = run(server, "--endpoint-type", "openai-completions");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).doesNotContain("chat template");
      JsonNode summary = summary();
      assertThat(summary.path("tokens").path("prompt_server_vs_local").path("max_abs_difference"))
          .hasToString("0");
      assertThat(summary.path("configuration").path("chat_template_applied").asBoolean()).isFalse();
    }
  }

  @Test
  void aTokenizerWithoutTemplateCountsBareTextAndSaysSoOnce() throws IOException {
    Path model = Files.createDirectories(root.resolve("model"));
    Files.copy(LLAMA3, model.resolve("tokenizer.json"));
    try (MockServer server = llamaServer(null)) {
      Cli.Result result = run(server, "--tokenizer", model.toString());

      assertThat(result.exitCode()).as(result.err()).isZero();
      String note =
          "servebench: no chat template for tokenizer model/tokenizer.json (neither"
              + " tokenizer_config.json nor chat_template.jinja is in "
              + model
              + "): prompts are counted on their bare text, without the tokens a server's"
              + " template adds";
      assertThat(result.err()).containsOnlyOnce(note);
      assertThat(result.err().lines().filter(line -> line.contains("chat template")))
          .containsExactly(note);
      assertThat(summary().path("tokens").path("prompt_server_vs_local").path("max_abs_difference"))
          .hasToString("0");
    }
  }

  @Test
  void aBuiltInEncodingHasNoTemplateAndNoNote() {
    try (MockServer server = llamaServer(null)) {
      Cli.Result result = run(server, "--tokenizer", "cl100k_base");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).doesNotContain("chat template");
    }
  }

  @Test
  void aBrokenTemplateIsBadInputNamingTheFile() throws IOException {
    Path model = Files.createDirectories(root.resolve("broken"));
    Files.copy(LLAMA3, model.resolve("tokenizer.json"));
    Path config =
        Files.writeString(
            model.resolve("tokenizer_config.json"),
            "{\"chat_template\": \"{% for m in messages %}{{ m.content }}\"}");
    try (MockServer server = llamaServer(null)) {
      Cli.Result result = run(server, "--tokenizer", model.toString());

      assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
      assertThat(result.err())
          .contains("servebench: error: the chat template in " + config + " fails: ")
          .contains("pass --no-chat-template to count prompts as their bare text")
          .doesNotContain("\tat ");
      // The flag is the way out the message names.
      Cli.Result bare = run(server, "--tokenizer", model.toString(), "--no-chat-template");
      assertThat(bare.exitCode()).as(bare.err()).isZero();
    }
  }

  @Test
  void aTemplateThatRaisesIsBadInputWithItsMessage() throws IOException {
    Path model = Files.createDirectories(root.resolve("raises"));
    Files.copy(LLAMA3, model.resolve("tokenizer.json"));
    Files.writeString(
        model.resolve("tokenizer_config.json"),
        "{\"chat_template\": \"{% if messages[0].role != 'system' %}"
            + "{{ raise_exception('System role required') }}{% endif %}\"}");
    try (MockServer server = llamaServer(null)) {
      Cli.Result result = run(server, "--tokenizer", model.toString());

      assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
      assertThat(result.err()).contains("it raised an exception: System role required");
    }
  }
}
