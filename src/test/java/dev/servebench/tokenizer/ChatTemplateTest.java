package dev.servebench.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.SharedTestData;
import dev.servebench.error.InvalidInputException;
import dev.servebench.testing.HubCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat templates of the shared Llama 3 and Qwen3 tokenizers, found beside their tokenizer.json
 * in a Hugging Face cache laid out in a temporary directory, render what transformers' {@code
 * apply_chat_template(messages, add_generation_prompt=True, tokenize=False)} renders. The expected
 * strings are written out from reading each template.
 */
class ChatTemplateTest {

  private static final Path LLAMA3 = SharedTestData.data("tokenizers/llama3.json");
  private static final Path LLAMA3_CONFIG = SharedTestData.data("tokenizers/llama3-config.json");
  private static final Path QWEN3 = SharedTestData.data("tokenizers/qwen3.json");
  private static final Path QWEN3_CONFIG = SharedTestData.data("tokenizers/qwen3-config.json");
  private static final String REVISION = "5f0b02c75b57c5855da9ae460ce51323ea669d8a";

  @TempDir Path hub;

  /** The snapshot directory of {@code repoId} in the cache, with its two tokenizer files. */
  private Path cached(String repoId, Path tokenizer, Path config) {
    return HubCache.addSnapshot(
        hub,
        repoId,
        REVISION,
        true,
        Map.of("tokenizer.json", tokenizer, "tokenizer_config.json", config));
  }

  private ChatTemplate llama3() {
    Path snapshot = cached("meta-llama/Meta-Llama-3-8B-Instruct", LLAMA3, LLAMA3_CONFIG);
    return ChatTemplate.besideTokenizer(snapshot.resolve("tokenizer.json")).found().orElseThrow();
  }

  private ChatTemplate qwen3() {
    Path snapshot = cached("Qwen/Qwen3-8B", QWEN3, QWEN3_CONFIG);
    return ChatTemplate.besideTokenizer(snapshot.resolve("tokenizer.json")).found().orElseThrow();
  }

  private static ChatTemplate inline(String source) {
    return ChatTemplate.compile(Path.of("inline.jinja"), source, Map.of("bos_token", "<s>"));
  }

  private static String render(String source, String userText) {
    return inline(source).render(List.of(ChatMessage.user(userText)));
  }

  private static final List<ChatMessage> TWO_TURNS =
      List.of(
          ChatMessage.user("Hi"),
          ChatMessage.assistant("<think>\nGreet back.\n</think>\n\nHello! How can I help?"),
          ChatMessage.user("Name three rivers."));

  @Test
  void llama3RendersOneUserMessage() {
    // The template trims the message ("| trim" binds to the content alone) and puts BOS first.
    assertThat(llama3().render(List.of(ChatMessage.user("  What is TTFT? \n"))))
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is TTFT?"
                + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void llama3RendersAHistory() {
    assertThat(llama3().render(TWO_TURNS))
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n"
                + "<think>\nGreet back.\n</think>\n\nHello! How can I help?<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nName three rivers.<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void qwen3RendersOneUserMessage() {
    // No system message, no tools; the user's text is kept as it is, spaces included.
    assertThat(qwen3().render(List.of(ChatMessage.user("  What is TTFT? \n"))))
        .isEqualTo("<|im_start|>user\n  What is TTFT? \n<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void qwen3RendersAHistoryWithoutEarlierReasoning() {
    // messages[::-1], namespace(), startswith/endswith find the last user query (index 2); the
    // answer before it loses its <think> block (split('</think>')[-1].lstrip('\n')).
    assertThat(qwen3().render(TWO_TURNS))
        .isEqualTo(
            "<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello! How can I help?<|im_end|>\n"
                + "<|im_start|>user\nName three rivers.<|im_end|>\n"
                + "<|im_start|>assistant\n");
  }

  @Test
  void qwen3KeepsASystemMessageFirst() {
    assertThat(
            qwen3().render(List.of(new ChatMessage("system", "Be brief."), ChatMessage.user("Hi"))))
        .isEqualTo(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\n");
  }

  @Test
  void specialTokenStringsCountAsTheirTokens() {
    // Found through the tokenizer that the cache's snapshot holds, as a run finds it.
    Tokenizer tokenizer =
        Tokenizers.fromFile(
            cached("meta-llama/Meta-Llama-3-8B-Instruct", LLAMA3, LLAMA3_CONFIG)
                .resolve("tokenizer.json"));
    ChatTemplate template = ChatTemplate.of(tokenizer).found().orElseThrow();
    String text = "Benchmarks measure what users wait for.";

    int[] ids = tokenizer.encode(template.render(List.of(ChatMessage.user(text))));

    assertThat(ids[0]).isEqualTo(128000); // <|begin_of_text|>, one token
    // BOS, <|start_header_id|> user <|end_header_id|> "\n\n", the text, <|eot_id|>, and the
    // generation prompt <|start_header_id|> assistant <|end_header_id|> "\n\n".
    assertThat(template.countPrompt(tokenizer, text))
        .isEqualTo(ids.length)
        .isEqualTo(tokenizer.countTokens(text) + 10);
  }

  @Test
  void turnsAddUpToTheWholeConversation() {
    Tokenizer tokenizer = Tokenizers.fromFile(QWEN3);
    ChatTemplate template = qwen3();
    List<String> turns = List.of("Hi", "Name three rivers.", "And two lakes?");

    int[] added = template.countTurns(tokenizer, turns);

    assertThat(added[0]).isEqualTo(template.countPrompt(tokenizer, "Hi"));
    String whole =
        template.render(
            List.of(
                ChatMessage.user("Hi"),
                ChatMessage.assistant(""),
                ChatMessage.user("Name three rivers."),
                ChatMessage.assistant(""),
                ChatMessage.user("And two lakes?")));
    assertThat(added[0] + added[1] + added[2]).isEqualTo(tokenizer.countTokens(whole));
  }

  @Test
  void aBuiltInEncodingHasNoTemplate() {
    ChatTemplate.Lookup lookup = ChatTemplate.of(Tokenizers.builtIn("cl100k_base"));

    assertThat(lookup.found()).isEmpty();
    assertThat(lookup.absence()).contains("cl100k_base");
  }

  @Test
  void aTokenizerWithoutConfigHasNoTemplate() {
    Path snapshot =
        HubCache.addSnapshot(hub, "org/bare", REVISION, true, Map.of("tokenizer.json", LLAMA3));

    ChatTemplate.Lookup lookup = ChatTemplate.besideTokenizer(snapshot.resolve("tokenizer.json"));

    assertThat(lookup.found()).isEmpty();
    assertThat(lookup.absence()).contains("tokenizer_config.json").contains(snapshot.toString());
  }

  @Test
  void aConfigWithoutChatTemplateHasNone() throws IOException {
    Path model = Files.createDirectories(hub.resolve("model"));
    Files.copy(LLAMA3, model.resolve("tokenizer.json"));
    Files.writeString(model.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");

    ChatTemplate.Lookup lookup = ChatTemplate.besideTokenizer(model.resolve("tokenizer.json"));

    assertThat(lookup.found()).isEmpty();
    assertThat(lookup.absence())
        .isEqualTo(model.resolve("tokenizer_config.json") + " has no chat_template");
  }

  @Test
  void aListOfTemplatesUsesTheDefaultOne() throws IOException {
    Path model = Files.createDirectories(hub.resolve("model"));
    Files.writeString(
        model.resolve("tokenizer_config.json"),
        """
        {"bos_token": {"content": "<s>", "lstrip": false},
         "chat_template": [
           {"name": "tool_use", "template": "tools"},
           {"name": "default", "template": "{{ bos_token }}[{{ messages[0].content }}]"}]}
        """);

    ChatTemplate template =
        ChatTemplate.besideTokenizer(model.resolve("tokenizer.json")).found().orElseThrow();

    assertThat(template.file()).isEqualTo(model.resolve("tokenizer_config.json"));
    assertThat(template.render(List.of(ChatMessage.user("x")))).isEqualTo("<s>[x]");
  }

  @Test
  void aChatTemplateJinjaFileWinsOverTheConfig() throws IOException {
    Path model = Files.createDirectories(hub.resolve("model"));
    Files.copy(LLAMA3_CONFIG, model.resolve("tokenizer_config.json"));
    Files.writeString(
        model.resolve("chat_template.jinja"), "{{ bos_token }}<{{ messages[0].content }}>");

    ChatTemplate template =
        ChatTemplate.besideTokenizer(model.resolve("tokenizer.json")).found().orElseThrow();

    assertThat(template.file()).isEqualTo(model.resolve("chat_template.jinja"));
    // The special tokens still come from tokenizer_config.json.
    assertThat(template.render(List.of(ChatMessage.user("x")))).isEqualTo("<|begin_of_text|><x>");
  }

  @Test
  void fingerprintsDifferWithTheTemplateOrItsTokens() {
    ChatTemplate one = inline("{{ bos_token }}{{ messages[0].content }}");
    ChatTemplate same = inline("{{ bos_token }}{{ messages[0].content }}");
    ChatTemplate other = inline("{{ messages[0].content }}");
    ChatTemplate otherBos =
        ChatTemplate.compile(
            Path.of("x"), "{{ bos_token }}{{ messages[0].content }}", Map.of("bos_token", "<b>"));

    assertThat(one.fingerprint()).isEqualTo(same.fingerprint());
    assertThat(other.fingerprint()).isNotEqualTo(one.fingerprint());
    assertThat(otherBos.fingerprint()).isNotEqualTo(one.fingerprint());
  }

  @Test
  void aSyntaxErrorNamesTheFileAndTheWayOut() throws IOException {
    Path model = Files.createDirectories(hub.resolve("model"));
    Path config = model.resolve("tokenizer_config.json");
    Files.writeString(
        config, "{\"chat_template\": \"{% for m in messages %}{{ m.content }}{% endif %}\"}");

    assertThatThrownBy(
            () ->
                ChatTemplate.besideTokenizer(model.resolve("tokenizer.json"))
                    .found()
                    .orElseThrow()
                    .render(List.of(ChatMessage.user("x"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("the chat template in " + config + " fails: ")
        .hasMessageContaining("--no-chat-template");
  }

  @Test
  void raiseExceptionFailsWithTheTemplatesMessage() {
    ChatTemplate template =
        inline(
            "{% if messages[0].role != 'system' %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant') }}"
                + "{% endif %}");

    assertThatThrownBy(() -> template.render(List.of(ChatMessage.user("x"))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("inline.jinja")
        .hasMessageContaining(
            "it raised an exception: Conversation roles must alternate user/assistant")
        .hasMessageContaining("--no-chat-template");
  }

  @Test
  void aFailedRenderLeavesNothingForTheNext() {
    // Each thread reuses its interpreter: errors and variables of one render must not stay.
    ChatTemplate template =
        inline(
            "{% if messages[0].role != 'system' %}{{ raise_exception('no system message') }}"
                + "{% endif %}{% set seen = messages|length %}[{{ seen }}]");

    assertThatThrownBy(() -> template.render(List.of(ChatMessage.user("x"))))
        .isInstanceOf(InvalidInputException.class);
    assertThat(template.render(List.of(new ChatMessage("system", "s"), ChatMessage.user("x"))))
        .isEqualTo("[2]");
    assertThat(template.render(List.of(new ChatMessage("system", "s")))).isEqualTo("[1]");
  }

  @Test
  void aMalformedConfigIsRefusedByName() throws IOException {
    Path model = Files.createDirectories(hub.resolve("model"));
    Path config = Files.writeString(model.resolve("tokenizer_config.json"), "{\"chat_template\":");

    assertThatThrownBy(() -> ChatTemplate.besideTokenizer(model.resolve("tokenizer.json")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("cannot read the chat template in " + config)
        .hasMessageContaining("--no-chat-template");
  }

  @Test
  void pythonStringMethodsBehaveAsPythons() {
    assertThat(render("{{ messages[0].content.split(',') | tojson }}", "a,,b,"))
        .isEqualTo("[\"a\", \"\", \"b\", \"\"]");
    assertThat(render("{{ messages[0].content.split() | tojson }}", "  a \n b  "))
        .isEqualTo("[\"a\", \"b\"]");
    assertThat(render("{{ messages[0].content.split('.', 1) | tojson }}", "a.b.c"))
        .isEqualTo("[\"a\", \"b.c\"]");
    assertThat(render("[{{ messages[0].content.strip() }}]", " \t x y \n")).isEqualTo("[x y]");
    assertThat(render("[{{ messages[0].content.strip('\\n') }}]", "\n\n x \n")).isEqualTo("[ x ]");
    assertThat(render("[{{ messages[0].content.lstrip('ab') }}]", "abbaxab")).isEqualTo("[xab]");
    assertThat(render("[{{ messages[0].content.rstrip() }}]", " x  ")).isEqualTo("[ x]");
    assertThat(render("{{ messages[0].content.startswith('<a>') }}", "<a>x")).isEqualTo("true");
    assertThat(render("{{ messages[0].content.endswith('</a>') }}", "<a>x")).isEqualTo("false");
    assertThat(render("{{ messages[0].content.upper() }}{{ 'Ab'.lower() }}", "x")).isEqualTo("Xab");
    assertThat(render("{{ messages[0].get('name', 'none given') }}", "x")).isEqualTo("none given");
  }

  @Test
  void steppedSlicesAndNamespacesWork() {
    assertThat(render("{% for m in messages[::-1] %}{{ m.role }}{% endfor %}", "x"))
        .isEqualTo("user");
    assertThat(render("{{ messages[0].content[::-1] }}|{{ messages[0].content[1::2] }}", "abcdef"))
        .isEqualTo("fedcba|bdf");
    assertThat(
            render(
                "{% set ns = namespace(found=false, last=messages|length - 1) %}"
                    + "{% for m in messages %}{% set ns.found = true %}{% endfor %}"
                    + "{{ ns.found }} {{ ns.last }}",
                "x"))
        .isEqualTo("true 0");
    // Only the template is rewritten, never the text around its tags.
    assertThat(render("a[::-1] namespace(x=1|abs) {{ 'b[::-1]' }}", "x"))
        .isEqualTo("a[::-1] namespace(x=1|abs) b[::-1]");
  }

  @Test
  void tojsonWritesAsPythonsJsonDumps() {
    ChatTemplate template =
        inline("{{ {'name': 'f', 'args': [1, true, none], 'text': 'é\"\\n'} | tojson }}");

    assertThat(template.render(List.of(ChatMessage.user("x"))))
        .isEqualTo("{\"name\": \"f\", \"args\": [1, true, null], \"text\": \"é\\\"\\n\"}");
  }

  @Test
  void strftimeFollowsPythonsDirectives() {
    assertThat(
            PythonIsms.strftime(
                java.time.LocalDateTime.of(2024, 7, 26, 9, 5, 3), "%d %b %Y, %H:%M:%S %A %%"))
        .isEqualTo("26 Jul 2024, 09:05:03 Friday %");
    assertThat(render("{{ strftime_now('%Y') | length }}", "x")).isEqualTo("4");
  }

  @Test
  void aMessagesTextIsNeverRenderedAsATemplate() {
    assertThat(render("[{{ messages[0].content }}]", "{{ 1 + 1 }} {% if true %}x{% endif %}"))
        .isEqualTo("[{{ 1 + 1 }} {% if true %}x{% endif %}]");
  }

  @Test
  void longMessagesRenderWhole() {
    String text = "word ".repeat(200_000);

    assertThat(render("{{ messages[0].content }}", text)).isEqualTo(text);
  }

  // The sandbox: a template comes with a downloaded model and is untrusted (GHSA-m49c-g9wr-hv6v).

  private static void assertRefused(String source, String why) {
    assertThatThrownBy(() -> render(source, "x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("the chat template in inline.jinja fails")
        .hasMessageContaining(why)
        .hasMessageContaining("--no-chat-template");
  }

  @Test
  void theInterpreterAndItsObjectMapperAreOutOfReach() {
    // The advisory's payloads name the interpreter: refused before the template is parsed.
    assertThatThrownBy(() -> inline("{{ ____int3rpr3t3r____.config.objectMapper }}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("the chat template in inline.jinja fails")
        .hasMessageContaining("names Jinjava's interpreter");
    assertThatThrownBy(
            () ->
                inline(
                    "{% set m = ____int3rpr3t3r____.config.objectMapper %}"
                        + "{{ m.readValue('{}', 'java.util.HashMap') }}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("names Jinjava's interpreter");
    // A name built at run time reaches the interpreter, but nothing behind it.
    String interpreter = "messages['____int3' ~ 'rpr3t3r____']";
    assertRefused("{{ " + interpreter + ".config.objectMapper }}", "'config' of a");
    assertRefused("{{ " + interpreter + " | attr('config') }}", "out of reach");
    assertRefused("{{ " + interpreter + " | map(attribute='config') | list }}", "out of reach");
    assertRefused("{{ " + interpreter + ".getConfig().getObjectMapper() }}", "out of reach");
    assertRefused(
        "{% for c in [" + interpreter + "] %}{{ c.config.objectMapper }}{% endfor %}",
        "out of reach");
  }

  @Test
  void noValueReachesAClassOrAStaticMethod() {
    System.clearProperty("servebench.sandbox");
    for (String source :
        List.of(
            "{{ 'x'.getClass().forName('java.lang.System').setProperty('servebench.sandbox', 'y') }}",
            "{{ messages.class.forName('java.lang.System').setProperty('servebench.sandbox', 'y') }}",
            "{{ messages[0].content.class }}",
            "{{ (1).getClass() }}",
            "{{ loop }}{% for i in [1] %}{{ loop.getClass() }}{% endfor %}")) {
      try {
        assertThat(render(source, "x")).doesNotContain("class ").doesNotContain("java.lang");
      } catch (InvalidInputException refused) {
        assertThat(refused).hasMessageContaining("inline.jinja");
      }
    }
    assertThat(System.getProperty("servebench.sandbox")).isNull();
  }

  @Test
  void noTemplateIsIncludedImportedOrExtended() {
    for (String source :
        List.of(
            "{% include 'logback.xml' %}",
            "{% import 'logback.xml' as x %}",
            "{% from 'logback.xml' import y %}",
            "{% extends 'logback.xml' %}")) {
      assertRefused(source, "may not include, import or extend another template");
    }
  }

  @Test
  void anOversizedRenderFails() {
    String megabyte = "x".repeat(1024 * 1024);

    assertThatThrownBy(
            () -> render("{% for i in range(17) %}{{ messages[0].content }}{% endfor %}", megabyte))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("inline.jinja")
        .hasMessageContaining("16 MiB");
  }
}
