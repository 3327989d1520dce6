package dev.servebench.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.SharedTestData;
import dev.servebench.error.InvalidInputException;
import dev.servebench.testing.HubCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding a model's tokenizer on this machine, in a Hugging Face cache and an LLM-on-Ray checkout
 * laid out in a temporary directory, with the real tokenizer files of the shared data. The search
 * is pointed there through its environment, never through the process's.
 */
class TokenizerSearchTest {

  private static final String LLAMA = "meta-llama/Llama-3.1-8B-Instruct";
  private static final String REVISION = "0e9e39f249a16976918f6564b8830bc894c89659";
  private static final String TEXT = "Benchmarks measure what users wait for: 12 tokens, or more?";

  private static final Path LLAMA3 = SharedTestData.data("tokenizers/llama3.json");
  private static final Path LLAMA3_CONFIG = SharedTestData.data("tokenizers/llama3-config.json");
  private static final Path QWEN3 = SharedTestData.data("tokenizers/qwen3.json");
  private static final Path QWEN3_CONFIG = SharedTestData.data("tokenizers/qwen3-config.json");
  private static final Path MISTRAL = SharedTestData.data("tokenizers/mistral-7b.json");

  @TempDir Path root;
  private Path home;
  private Path hub;
  private Path workingDirectory;
  private final Map<String, String> environment = new HashMap<>();

  @BeforeEach
  void layOutMachine() throws IOException {
    home = Files.createDirectories(root.resolve("home"));
    hub = root.resolve("hub");
    workingDirectory = Files.createDirectories(root.resolve("work"));
    environment.put("HOME", home.toString());
    environment.put("HF_HUB_CACHE", hub.toString());
  }

  private TokenizerLocations locations() {
    return new TokenizerLocations(environment, home, workingDirectory, null);
  }

  private void cacheLlama() {
    HubCache.addSnapshot(
        hub,
        LLAMA,
        REVISION,
        true,
        Map.of("tokenizer.json", LLAMA3, "tokenizer_config.json", LLAMA3_CONFIG));
  }

  private static int[] llama3(String text) {
    return Tokenizers.fromFile(LLAMA3).encode(text);
  }

  @Test
  void findsRepositoryIdOfTokenizerInTheCache() {
    cacheLlama();

    Tokenizers.Resolved found = Tokenizers.find(LLAMA, null, null, locations());

    assertThat(found.tokenizer().encode(TEXT)).containsExactly(llama3(TEXT));
    // Named by its repository, not by the revision hash it sits under.
    assertThat(found.tokenizer().name()).isEqualTo(LLAMA);
    assertThat(found.foundAt())
        .isEqualTo(
            "the Hugging Face cache: "
                + hub.resolve("models--meta-llama--Llama-3.1-8B-Instruct/snapshots")
                    .resolve(REVISION)
                    .resolve("tokenizer.json"));
    // The file is the same tokenizer as by path: one instance, and prompts cached under either
    // are found under the other.
    Path blob =
        hub.resolve(
            "models--meta-llama--Llama-3.1-8B-Instruct/blobs/" + REVISION + "-tokenizer.json");
    assertThat(found.tokenizer()).isSameAs(Tokenizers.fromFile(blob));
    assertThat(found.tokenizer().fingerprint())
        .isEqualTo(Tokenizers.fromFile(LLAMA3).fingerprint());
  }

  @Test
  void findsTheModelsOwnTokenizerWithoutTokenizerFlag() {
    cacheLlama();

    assertThat(Tokenizers.find(null, LLAMA, null, locations()).tokenizer().encode(TEXT))
        .containsExactly(llama3(TEXT));
    // A server may list the id in other case, or without its organisation.
    assertThat(
            Tokenizers.find(null, "META-LLAMA/llama-3.1-8b-instruct", null, locations())
                .tokenizer()
                .name())
        .isEqualTo(LLAMA);
    assertThat(Tokenizers.find(null, "Llama-3.1-8B-Instruct", null, locations()).tokenizer().name())
        .isEqualTo(LLAMA);
  }

  @Test
  void bareNameOfSeveralRepositoriesIsNotGuessed() {
    cacheLlama();
    HubCache.addSnapshot(
        hub, "unsloth/Llama-3.1-8B-Instruct", REVISION, true, Map.of("tokenizer.json", LLAMA3));

    assertThatThrownBy(() -> Tokenizers.find(null, "Llama-3.1-8B-Instruct", null, locations()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "several repositories are named Llama-3.1-8B-Instruct (meta-llama/Llama-3.1-8B-Instruct,"
                + " unsloth/Llama-3.1-8B-Instruct): pass --tokenizer ORG/NAME");
  }

  @Test
  void withoutRefsMainTakesTheNewestSnapshotWithTokenizer() throws IOException {
    Path older = HubCache.addSnapshot(hub, LLAMA, "1111", false, Map.of("tokenizer.json", MISTRAL));
    Path newer = HubCache.addSnapshot(hub, LLAMA, "2222", false, Map.of("tokenizer.json", LLAMA3));
    // Newer still, but without a tokenizer.json: only its configuration was downloaded.
    Path newest =
        HubCache.addSnapshot(
            hub, LLAMA, "3333", false, Map.of("tokenizer_config.json", LLAMA3_CONFIG));
    Files.setLastModifiedTime(older, FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(newer, FileTime.fromMillis(2_000_000));
    Files.setLastModifiedTime(newest, FileTime.fromMillis(3_000_000));

    assertThat(Tokenizers.find(LLAMA, null, null, locations()).foundAt())
        .endsWith(Path.of("snapshots", "2222", "tokenizer.json").toString());
  }

  @Test
  void refsMainWinsOverNewerSnapshots() throws IOException {
    Path main = HubCache.addSnapshot(hub, LLAMA, "1111", true, Map.of("tokenizer.json", LLAMA3));
    Path newer = HubCache.addSnapshot(hub, LLAMA, "2222", false, Map.of("tokenizer.json", QWEN3));
    Files.setLastModifiedTime(main, FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(newer, FileTime.fromMillis(2_000_000));

    assertThat(Tokenizers.find(LLAMA, null, null, locations()).tokenizer().encode(TEXT))
        .containsExactly(llama3(TEXT));
  }

  @Test
  void hubCacheIsChosenAsHuggingFaceHubChoosesIt() {
    environment.clear();
    environment.put("HOME", home.toString());
    assertThat(locations().hubCache().directory())
        .isEqualTo(home.resolve(".cache/huggingface/hub"));
    environment.put("XDG_CACHE_HOME", root.resolve("xdg").toString());
    assertThat(locations().hubCache().directory()).isEqualTo(root.resolve("xdg/huggingface/hub"));
    environment.put("HF_HOME", "~/hf");
    assertThat(locations().hubCache().directory()).isEqualTo(home.resolve("hf/hub"));
    environment.put("HUGGINGFACE_HUB_CACHE", root.resolve("old").toString());
    assertThat(locations().hubCache().directory()).isEqualTo(root.resolve("old"));
    environment.put("HF_HUB_CACHE", hub.toString());
    assertThat(locations().hubCache())
        .isEqualTo(new TokenizerLocations.HubCache(hub, "$HF_HUB_CACHE"));
    // An empty variable is an unset one, as in huggingface_hub.
    environment.put("HF_HUB_CACHE", "");
    assertThat(locations().hubCache().directory()).isEqualTo(root.resolve("old"));
  }

  @Test
  void findsModelDirectoryNamedByTheModel() throws IOException {
    // vLLM started with a path lists that path as the model.
    Path model = Files.createDirectories(root.resolve("models/Qwen3-8B"));
    Files.copy(QWEN3, model.resolve("tokenizer.json"));
    Files.copy(QWEN3_CONFIG, model.resolve("tokenizer_config.json"));

    Tokenizers.Resolved found = Tokenizers.find(null, model.toString(), null, locations());

    assertThat(found.tokenizer().encode(TEXT))
        .containsExactly(Tokenizers.fromFile(QWEN3).encode(TEXT));
    assertThat(found.foundAt()).isEqualTo("the local model directory or file " + model);
    // A relative one, as a repository id also reads, is a model directory first.
    Files.createDirectories(workingDirectory.resolve("Qwen"));
    Files.createSymbolicLink(workingDirectory.resolve("Qwen/Qwen3-8B"), model);
    assertThat(Tokenizers.find(null, "Qwen/Qwen3-8B", null, locations()).tokenizer().name())
        .isEqualTo("Qwen3-8B/tokenizer.json");
  }

  @Test
  void notFoundSaysEveryPlaceLookedAndHowToFixIt() {
    assertThatThrownBy(() -> Tokenizers.find(null, LLAMA, null, locations()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "no tokenizer found for model 'meta-llama/Llama-3.1-8B-Instruct' (servebench looks on"
                + " this machine only and never downloads one). Looked at:\n"
                + "  - the built-in encodings (r50k_base, p50k_base, cl100k_base, o200k_base): none"
                + " is named 'meta-llama/Llama-3.1-8B-Instruct'\n"
                + "  - the local path "
                + workingDirectory.resolve(LLAMA)
                + ": not there\n"
                + "  - the Hugging Face cache "
                + hub
                + " ($HF_HUB_CACHE): the directory does not exist\n"
                + "  - LLM-on-Ray model files: no checkout named with --llm-on-ray DIR, and neither "
                + workingDirectory
                + " nor a directory above it is one\n"
                + "To fix it, do one of:\n"
                + "  - pass --tokenizer PATH: the model's tokenizer.json, or the directory with it\n"
                + "  - set HF_HUB_CACHE (or HF_HOME) to a Hugging Face cache that holds the model\n"
                + "  - on a machine with network, run: huggingface-cli download"
                + " meta-llama/Llama-3.1-8B-Instruct tokenizer.json tokenizer_config.json\n"
                + "    and copy its cache (~/.cache/huggingface/hub) to this machine\n"
                + "  - pass --tokenizer with a built-in encoding (r50k_base, p50k_base, cl100k_base,"
                + " o200k_base) if the model uses one");
  }

  @Test
  void notFoundNamesTheDefaultCacheAndARepositoryWithoutTokenizer() {
    environment.remove("HF_HUB_CACHE");
    Path defaultHub = home.resolve(".cache/huggingface/hub");
    HubCache.addSnapshot(
        defaultHub, LLAMA, REVISION, true, Map.of("tokenizer_config.json", LLAMA3_CONFIG));

    assertThatThrownBy(() -> Tokenizers.find(LLAMA, null, null, locations()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("no tokenizer found for --tokenizer '" + LLAMA + "'")
        .hasMessageContaining(
            "  - the Hugging Face cache "
                + defaultHub
                + " (the default; HF_HUB_CACHE and HF_HOME are not set):"
                + " models--meta-llama--Llama-3.1-8B-Instruct has no snapshot with a"
                + " tokenizer.json");
  }

  @Test
  void explicitPathThatIsNotThereIsNotReplacedByAFamilyEncoding() {
    // ./gpt2 is a path, not the name of the gpt2 family: its absence is the user's mistake.
    assertThatThrownBy(() -> Tokenizers.find("./gpt2", null, null, locations()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "the local path " + workingDirectory.resolve("./gpt2") + ": not there");
    // A model name of a known family still gets its encoding, saying it was not found as a file.
    Tokenizers.Resolved gptJ = Tokenizers.find(null, "EleutherAI/gpt-j-6b", null, locations());
    assertThat(gptJ.tokenizer().name()).isEqualTo("r50k_base");
    assertThat(gptJ.foundAt())
        .isEqualTo(
            "the built-in encoding of the model family of 'EleutherAI/gpt-j-6b' (no tokenizer.json"
                + " of it was found)");
  }

  // LLM-on-Ray

  private Path checkout() throws IOException {
    Path checkout = root.resolve("llm-on-ray");
    Path models = Files.createDirectories(checkout.resolve("llm_on_ray/inference/models"));
    Files.writeString(
        models.resolve("llama-3-8b-instruct.yaml"),
        """
        port: 8000
        name: llama-3-8b-instruct
        route_prefix: /llama-3-8b-instruct
        device: cpu
        model_description:
          model_id_or_path: meta-llama/Llama-3.1-8B-Instruct
          tokenizer_name_or_path: meta-llama/Llama-3.1-8B-Instruct
          chat_processor: ChatModelLLama
          config:
            use_auth_token: ''
        """);
    Files.writeString(
        models.resolve("mistral-7b-v0.1.yaml"),
        """
        name: mistral-7b-v0.1
        route_prefix: /mistral-7b-v0.1
        model_description:
          model_id_or_path: mistralai/Mistral-7B-v0.1
        """);
    // A variant in a subdirectory, served under its own name and route.
    Files.createDirectories(models.resolve("vllm"));
    Files.writeString(
        models.resolve("vllm/llama-3-8b-instruct-vllm.yaml"),
        """
        name: llama-3-8b-instruct-vllm
        route_prefix: /llama3-vllm
        model_description:
          model_id_or_path: meta-llama/Llama-3.1-8B-Instruct
          tokenizer_name_or_path: meta-llama/Llama-3.1-8B-Instruct
        """);
    // One broken file does not stop the others being read.
    Files.writeString(models.resolve("broken.yaml"), "name: [unclosed\n");
    Files.createDirectories(checkout.resolve("benchmarks"));
    return checkout;
  }

  @Test
  void llmOnRayModelFileNamesTheTokenizerOfTheModel() throws IOException {
    cacheLlama();
    Path checkout = checkout();
    TokenizerLocations named = locations().withLlmOnRayCheckout(checkout);

    Tokenizers.Resolved found = Tokenizers.find(null, "llama-3-8b-instruct", null, named);

    assertThat(found.tokenizer().encode(TEXT)).containsExactly(llama3(TEXT));
    assertThat(found.foundAt())
        .startsWith("the Hugging Face cache: " + hub)
        .endsWith(
            ", named by "
                + checkout.resolve("llm_on_ray/inference/models/llama-3-8b-instruct.yaml"));
    // By its route too, and in a subdirectory.
    assertThat(Tokenizers.find(null, "llama3-vllm", null, named).tokenizer().name())
        .isEqualTo(LLAMA);
  }

  @Test
  void llmOnRayCheckoutIsFoundFromInsideIt() throws IOException {
    cacheLlama();
    Path checkout = checkout();
    // The seed script runs from the checkout's benchmarks/ directory.
    workingDirectory = checkout.resolve("benchmarks");

    assertThat(Tokenizers.find(null, "llama-3-8b-instruct", null, locations()).tokenizer().name())
        .isEqualTo(LLAMA);
  }

  @Test
  void llmOnRayTokenizerNotOnThisMachineIsSaidWithWhereItWasLookedFor() throws IOException {
    Path checkout = checkout();
    TokenizerLocations named = locations().withLlmOnRayCheckout(checkout);

    assertThatThrownBy(() -> Tokenizers.find(null, "mistral-7b-v0.1", null, named))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "  - "
                + checkout.resolve("llm_on_ray/inference/models/mistral-7b-v0.1.yaml")
                + " names the tokenizer 'mistralai/Mistral-7B-v0.1', looked for in:\n"
                + "    - the built-in encodings")
        .hasMessageContaining(
            "    - the Hugging Face cache "
                + hub
                + " ($HF_HUB_CACHE): the directory does not exist")
        .hasMessageContaining("huggingface-cli download mistralai/Mistral-7B-v0.1 tokenizer.json");
  }

  @Test
  void modelConfigNamesTheTokenizer() throws IOException {
    cacheLlama();
    LlmOnRayModel model =
        LlmOnRayModel.read(
            checkout().resolve("llm_on_ray/inference/models/llama-3-8b-instruct.yaml"));

    assertThat(model.name()).isEqualTo("llama-3-8b-instruct");
    assertThat(model.route()).isEqualTo("/llama-3-8b-instruct");
    // The model file's tokenizer wins over the model name's.
    Tokenizers.Resolved found = Tokenizers.find(null, "gpt2", model, locations());
    assertThat(found.tokenizer().name()).isEqualTo(LLAMA);
    // --tokenizer wins over both.
    assertThat(Tokenizers.find("gpt2", "gpt2", model, locations()).tokenizer().name())
        .isEqualTo("r50k_base");
  }

  @Test
  void modelConfigWithoutTokenizerNameUsesTheModelsRepository() throws IOException {
    HubCache.addSnapshot(
        hub, "mistralai/Mistral-7B-v0.1", REVISION, true, Map.of("tokenizer.json", MISTRAL));
    LlmOnRayModel model =
        LlmOnRayModel.read(checkout().resolve("llm_on_ray/inference/models/mistral-7b-v0.1.yaml"));

    assertThat(model.tokenizerReference()).isEqualTo("mistralai/Mistral-7B-v0.1");
    assertThat(Tokenizers.find(null, null, model, locations()).tokenizer().name())
        .isEqualTo("mistralai/Mistral-7B-v0.1");
  }

  @Test
  void rejectsModelConfigThatIsNoModelFile() throws IOException {
    Path list = Files.writeString(root.resolve("list.yaml"), "- a\n- b\n");
    Path broken = Files.writeString(root.resolve("broken.yaml"), "name: [unclosed\n");

    assertThatThrownBy(() -> LlmOnRayModel.read(list))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            list
                + " is not an LLM-on-Ray model file (it is not a YAML mapping): pass one of the"
                + " checkout's inference/models/*.yaml files");
    assertThatThrownBy(() -> LlmOnRayModel.read(broken))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("cannot read LLM-on-Ray model file " + broken);
    assertThatThrownBy(() -> LlmOnRayModel.read(root.resolve("missing.yaml")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(
            "cannot read LLM-on-Ray model file " + root.resolve("missing.yaml"));
  }

  @Test
  void rejectsLlmOnRayCheckoutWithoutModelFiles() {
    assertThatThrownBy(() -> locations().withLlmOnRayCheckout(root))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--llm-on-ray " + root + " holds no LLM-on-Ray model files");
  }
}
