package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.SharedTestData;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.run.RunConfig;
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
 * A run that names no tokenizer finds the served model's own in a Hugging Face cache, and warns
 * when it counts prompts differently from the server. The mock server counts and generates with
 * Llama 3's real tokenizer; the cache is a temporary one the run's environment points at.
 */
class TokenizerDiscoveryTest {

  private static final String LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
  private static final Path LLAMA3 = SharedTestData.data("tokenizers/llama3.json");

  @TempDir Path root;
  private Path hub;
  private Path results;
  private Map<String, String> environment;
  private Path snapshot;

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
            "0e9e39f249a16976918f6564b8830bc894c89659",
            true,
            Map.of(
                "tokenizer.json",
                LLAMA3,
                "tokenizer_config.json",
                SharedTestData.data("tokenizers/llama3-config.json")));
  }

  /** Counts as vLLM does: the messages rendered with the model's chat template. */
  private MockServer llamaServer(String modelName) {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(5)
            .itlMillis(1)
            .fixedOutputTokens(4)
            .modelName(modelName)
            .tokenizer(Tokenizers.fromFile(LLAMA3))
            .chatTemplate(
                ChatTemplate.besideTokenizer(snapshot.resolve("tokenizer.json")).template())
            .build());
  }

  private Cli.Result run(Map<String, String> environment, MockServer server, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-endpoint-base",
                server.baseUrl(),
                "--dataset-format",
                "Synthesis",
                "--num-prompts",
                "12",
                "--input-len-mean",
                "64",
                "--input-len-stddev",
                "24",
                "--stream",
                "--results-dir",
                results.toString()));
    args.addAll(List.of(extra));
    return Cli.run(environment, args.toArray(String[]::new));
  }

  private JsonNode summary() {
    return Cli.json(Cli.onlyFile(results, "-summary.json"));
  }

  @Test
  void findsTheListedModelsTokenizerInTheCache() {
    try (MockServer server = llamaServer(LLAMA)) {
      // Neither --tokenizer nor --model-name: the model is the one the server lists.
      Cli.Result result = run(environment, server);

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err())
          .contains("the server lists '" + LLAMA + "'")
          .contains(
              "servebench: tokenizer "
                  + LLAMA
                  + " from the Hugging Face cache: "
                  + hub.resolve("models--meta-llama--Llama-3.1-8B-Instruct/snapshots"));
      JsonNode summary = summary();
      assertThat(summary.path("configuration").path("tokenizer").asText()).isEqualTo(LLAMA);
      // The server's own counts, so every prompt counts the same on both sides.
      JsonNode check = summary.path("tokens").path("prompt_server_vs_local");
      assertThat(check.path("compared").asInt()).isEqualTo(12);
      assertThat(check.path("max_abs_difference").asInt()).isZero();
      assertThat(summary.path("warnings")).isEmpty();
    }
  }

  @Test
  void modelConfigNamesModelAndTokenizer() throws IOException {
    Path modelFile =
        Files.writeString(
            root.resolve("llama-3-8b-instruct.yaml"),
            """
            name: llama-3-8b-instruct
            route_prefix: /llama-3-8b-instruct
            model_description:
              model_id_or_path: meta-llama/Llama-3.1-8B-Instruct
              tokenizer_name_or_path: meta-llama/Llama-3.1-8B-Instruct
            """);
    try (MockServer server = llamaServer("llama-3-8b-instruct")) {
      Cli.Result result = run(environment, server, "--model-config", modelFile.toString());

      assertThat(result.exitCode()).as(result.err()).isZero();
      // The model is named by the file, so the server is not asked for it.
      assertThat(result.err()).doesNotContain("the server lists");
      JsonNode configuration = summary().path("configuration");
      assertThat(configuration.path("model_name").asText()).isEqualTo("llama-3-8b-instruct");
      assertThat(configuration.path("tokenizer").asText()).isEqualTo(LLAMA);
      assertThat(configuration.path("model_config").asText()).isEqualTo(modelFile.toString());
    }
  }

  @Test
  void modelConfigGivesTheSimpleEndpointItsRouteUnlessOneIsGiven() throws IOException {
    Path modelFile =
        Files.writeString(
            root.resolve("gpt-j-6b.yaml"),
            """
            name: gpt-j-6b
            route_prefix: /gptj
            model_description:
              model_id_or_path: EleutherAI/gpt-j-6b
              tokenizer_name_or_path: EleutherAI/gpt-j-6b
            """);
    RunCommand command = new RunCommand();
    command.environment = environment;
    command.simple = true;
    command.datasetFormat = "Synthesis";
    command.modelConfig = modelFile;

    RunConfig config = command.toConfig();
    assertThat(config.endpoint().modelName()).isEqualTo("gpt-j-6b");
    assertThat(config.endpoint().route()).isEqualTo("/gptj");
    assertThat(config.prompts().modelFile().tokenizerReference()).isEqualTo("EleutherAI/gpt-j-6b");

    command.route = "/other";
    command.modelName = "served-name";
    config = command.toConfig();
    assertThat(config.endpoint().modelName()).isEqualTo("served-name");
    assertThat(config.endpoint().route()).isEqualTo("/other");
  }

  @Test
  void llmOnRayCheckoutNamesTheListedModelsTokenizer() throws IOException {
    Path checkout = root.resolve("llm-on-ray");
    Path models = Files.createDirectories(checkout.resolve("llm_on_ray/inference/models"));
    Path modelFile =
        Files.writeString(
            models.resolve("llama-3-8b-instruct.yaml"),
            """
            name: llama-3-8b-instruct
            route_prefix: /llama-3-8b-instruct
            model_description:
              model_id_or_path: meta-llama/Llama-3.1-8B-Instruct
              tokenizer_name_or_path: meta-llama/Llama-3.1-8B-Instruct
            """);
    try (MockServer server = llamaServer("llama-3-8b-instruct")) {
      Cli.Result result = run(environment, server, "--llm-on-ray", checkout.toString());

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err())
          .contains("the server lists 'llama-3-8b-instruct'")
          .contains("servebench: tokenizer " + LLAMA + " from the Hugging Face cache: ")
          .contains(", named by " + modelFile);
    }
  }

  @Test
  void llmOnRayCheckoutWithoutModelFilesIsBadInput() {
    Cli.Result result =
        Cli.run(
            environment,
            "--llm-on-ray",
            root.toString(),
            "--model-name",
            LLAMA,
            "--dataset-format",
            "Synthesis");

    assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(result.err())
        .contains("servebench: error: --llm-on-ray " + root + " holds no LLM-on-Ray model files");
  }

  @Test
  void noTokenizerOnThisMachineStopsTheRunListingWhereItLooked() throws IOException {
    Path emptyHome = Files.createDirectories(root.resolve("empty-home"));
    try (MockServer server = llamaServer(LLAMA)) {
      Cli.Result result = run(Map.of("HOME", emptyHome.toString()), server);

      assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
      assertThat(result.err())
          .contains("servebench: error: no tokenizer found for model '" + LLAMA + "'")
          .contains(
              "  - the Hugging Face cache "
                  + emptyHome.resolve(".cache/huggingface/hub")
                  + " (the default; HF_HUB_CACHE and HF_HOME are not set): the directory does not"
                  + " exist")
          .contains("  - LLM-on-Ray model files: no checkout named with --llm-on-ray DIR")
          .contains("huggingface-cli download " + LLAMA + " tokenizer.json tokenizer_config.json");
    }
  }

  @Test
  void aTokenizerThatIsNotTheServedModelsIsWarnedAbout() {
    try (MockServer server = llamaServer(LLAMA)) {
      Cli.Result result = run(environment, server, "--tokenizer", "r50k_base");

      assertThat(result.exitCode()).as(result.err()).isZero();
      // Random GPT-2 tokens' text: Llama 3 counts each prompt differently.
      assertThat(result.out())
          .contains(
              "WARNING: the server counts each prompt differently from the local tokenizer"
                  + " r50k_base, by a different number of tokens each time")
          .contains("pass the served model's tokenizer with --tokenizer");
      assertThat(summary().path("warnings")).hasSize(1);
    }
  }
}
