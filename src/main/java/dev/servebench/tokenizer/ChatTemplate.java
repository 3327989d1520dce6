package dev.servebench.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jinjava.javax.el.CompositeELResolver;

/**
 * A model's chat template: the Jinja template a serving engine renders a chat request's messages
 * with (roles, BOS, the generation prompt) before it tokenizes them, so that the server's {@code
 * usage.prompt_tokens} counts the template's tokens as well as the messages'.
 *
 * <p>Read from the files Hugging Face's transformers reads beside a {@code tokenizer.json}: {@code
 * chat_template.jinja} when present, else {@code tokenizer_config.json}'s {@code chat_template} (a
 * string, or a list of {@code {name, template}} of which {@code default} is used); the special
 * tokens ({@code bos_token}, {@code eos_token}, ...) come from {@code tokenizer_config.json}.
 * Rendered as transformers' {@code apply_chat_template(messages, add_generation_prompt=True)} does:
 * Jinja with {@code trim_blocks} and {@code lstrip_blocks}, its {@code raise_exception}, {@code
 * strftime_now} and {@code tojson}, and the Python string methods templates call (see {@link
 * PythonIsms}).
 *
 * <p>The template is parsed once. Each thread renders with an interpreter of its own, made once and
 * given a fresh scope for every {@link #render}: making an interpreter costs more than rendering a
 * short conversation, and one instance may render from several threads.
 */
public final class ChatTemplate {

  static final String CONFIG_FILE = "tokenizer_config.json";
  static final String JINJA_FILE = "chat_template.jinja";

  private static final List<String> SPECIAL_TOKENS =
      List.of("bos_token", "eos_token", "unk_token", "pad_token");

  private final Path file;
  private final String fingerprint;
  private final Map<String, String> specialTokens;
  private final Jinjava jinjava;
  private final Node root;
  private final ThreadLocal<JinjavaInterpreter> interpreters;

  private ChatTemplate(Path file, String source, Map<String, String> specialTokens) {
    this.file = file;
    this.specialTokens = Map.copyOf(specialTokens);
    this.fingerprint = fingerprint(source, specialTokens);
    String refused = TemplateSandbox.refusedSource(source);
    if (refused != null) {
      throw new TemplateFailure(refused);
    }
    this.jinjava = newJinjava();
    JinjavaInterpreter parser = jinjava.newInterpreter();
    this.root = parser.parse(TemplateSource.rewrite(source));
    failOnErrors(parser.getErrors());
    this.interpreters = ThreadLocal.withInitial(jinjava::newInterpreter);
  }

  /**
   * What looking for a tokenizer's chat template found.
   *
   * @param template the template, or {@code null}
   * @param absence why there is none, in words (a file, a field); {@code null} when found
   */
  public record Lookup(ChatTemplate template, String absence) {

    public Optional<ChatTemplate> found() {
      return Optional.ofNullable(template);
    }
  }

  /**
   * The chat template beside {@code tokenizer}'s {@code tokenizer.json}; none for a built-in
   * encoding.
   *
   * @throws InvalidInputException naming the file when a template is there but cannot be read or
   *     does not parse
   */
  public static Lookup of(Tokenizer tokenizer) {
    return tokenizer
        .sourceFile()
        .map(ChatTemplate::besideTokenizer)
        .orElseGet(
            () ->
                new Lookup(
                    null, "the built-in encoding " + tokenizer.name() + " has no chat template"));
  }

  /** The chat template in the directory of {@code tokenizerFile}, as {@link #of} says. */
  public static Lookup besideTokenizer(Path tokenizerFile) {
    Path directory = tokenizerFile.toAbsolutePath().getParent();
    Path config = directory.resolve(CONFIG_FILE);
    Path jinja = directory.resolve(JINJA_FILE);
    JsonNode settings = Files.isRegularFile(config) ? readConfig(config) : null;
    Map<String, String> specialTokens = specialTokens(settings);
    if (Files.isRegularFile(jinja)) {
      try {
        return new Lookup(
            compile(jinja, Files.readString(jinja, StandardCharsets.UTF_8), specialTokens), null);
      } catch (IOException e) {
        throw unreadable(jinja, e.getMessage());
      }
    }
    if (settings == null) {
      return new Lookup(
          null, "neither " + CONFIG_FILE + " nor " + JINJA_FILE + " is in " + directory);
    }
    JsonNode template = settings.get("chat_template");
    if (template != null && template.isArray()) {
      JsonNode named = null;
      for (JsonNode each : template) {
        if ("default".equals(each.path("name").asText(null))) {
          named = each.get("template");
        }
      }
      if (named == null || !named.isTextual()) {
        return new Lookup(null, config + " lists chat templates, but none named 'default'");
      }
      template = named;
    }
    if (template == null || template.isNull()) {
      return new Lookup(null, config + " has no chat_template");
    }
    if (!template.isTextual()) {
      throw new InvalidInputException(
          config
              + ": chat_template is neither a string nor a list of {name, template}: fix the file,"
              + " or pass --no-chat-template to count prompts as their bare text");
    }
    return new Lookup(compile(config, template.textValue(), specialTokens), null);
  }

  /**
   * A template from its source.
   *
   * @param file where it was read, for messages
   * @param specialTokens {@code bos_token} and the like, by name
   * @throws InvalidInputException naming {@code file} when the template does not parse
   */
  static ChatTemplate compile(Path file, String source, Map<String, String> specialTokens) {
    try {
      return new ChatTemplate(file, source, specialTokens);
    } catch (TemplateFailure failure) {
      throw failure.about(file);
    }
  }

  /** The file the template was read from. */
  public Path file() {
    return file;
  }

  /**
   * Identifies the template and its special tokens: prompts counted with one template can be reused
   * with another of the same fingerprint (the prompt cache's key).
   */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * The text a server tokenizes for {@code messages}: the template rendered with them and the
   * generation prompt (the assistant's header) at the end.
   *
   * @throws InvalidInputException naming the file when the template fails (an error of its own, or
   *     its {@code raise_exception})
   */
  public String render(List<ChatMessage> messages) {
    List<Map<String, Object>> values = new ArrayList<>(messages.size());
    for (ChatMessage message : messages) {
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("role", message.role());
      value.put("content", message.content());
      values.add(value);
    }
    JinjavaInterpreter interpreter = interpreters.get();
    // What one render sets (variables, a namespace, errors) is gone before the next.
    clearErrors(interpreter);
    interpreter.enterScope();
    interpreter.getContext().putAll(specialTokens);
    interpreter.getContext().put("messages", values);
    interpreter.getContext().put("add_generation_prompt", true);
    JinjavaInterpreter.pushCurrent(interpreter);
    String text;
    try {
      text = interpreter.render(root);
      failOnErrors(interpreter.getErrors());
    } catch (TemplateFailure failure) {
      throw failure.about(file);
    } catch (RuntimeException failure) {
      throw new TemplateFailure(message(failure)).about(file);
    } finally {
      JinjavaInterpreter.popCurrent();
      interpreter.leaveScope();
      clearErrors(interpreter);
    }
    return text;
  }

  /**
   * Tokens of one user message as a server counts it: the rendered template, whose special-token
   * strings ({@code <|begin_of_text|>}) {@code tokenizer} matches as the tokens they are.
   */
  public int countPrompt(Tokenizer tokenizer, String userText) {
    return tokenizer.countTokens(render(List.of(ChatMessage.user(userText))));
  }

  /**
   * What each user turn of a conversation adds to the rendered conversation, in tokens, with the
   * assistant's answers left empty: the sum of the first {@code k} is the count of turn {@code k}
   * sent with the turns before it, less its answers' own tokens (which a run adds as they come).
   * When the conversation so far renders as a prefix of the next one (as with every common
   * template) only the added text is tokenized.
   */
  public int[] countTurns(Tokenizer tokenizer, List<String> userTexts) {
    int[] added = new int[userTexts.size()];
    List<ChatMessage> conversation = new ArrayList<>();
    String previous = "";
    int previousTokens = 0;
    for (int turn = 0; turn < userTexts.size(); turn++) {
      if (turn > 0) {
        conversation.add(ChatMessage.assistant(""));
      }
      conversation.add(ChatMessage.user(userTexts.get(turn)));
      String rendered = render(conversation);
      int tokens =
          rendered.startsWith(previous)
              ? previousTokens + tokenizer.countTokens(rendered.substring(previous.length()))
              : tokenizer.countTokens(rendered);
      added[turn] = tokens - previousTokens;
      previous = rendered;
      previousTokens = tokens;
    }
    return added;
  }

  private static Jinjava newJinjava() {
    CompositeELResolver resolver = new CompositeELResolver();
    // The template is untrusted: the sandbox sees every property and call first.
    resolver.add(new TemplateSandbox.Resolver());
    resolver.add(new PythonIsms.MethodResolver());
    resolver.add(JinjavaConfig.newBuilder().build().getElResolver());
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            // A message's text is data: "{{" in a prompt is never rendered again.
            .withNestedInterpretationEnabled(false)
            .withElResolver(resolver)
            .withMaxOutputSize(TemplateSandbox.MAX_OUTPUT_CHARS)
            .withMaxStringLength(TemplateSandbox.MAX_OUTPUT_CHARS)
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .build())
            .build();
    Jinjava jinjava = new Jinjava(config);
    jinjava.setResourceLocator(new TemplateSandbox.NoResources());
    jinjava.registerFunction(
        new ELFunctionDefinition(
            "", "raise_exception", PythonIsms.class, "raiseException", Object.class));
    jinjava.registerFunction(
        new ELFunctionDefinition(
            "", "strftime_now", PythonIsms.class, "strftimeNow", String.class));
    jinjava.registerFunction(
        new ELFunctionDefinition(
            "",
            PythonIsms.SLICE_FUNCTION,
            PythonIsms.class,
            "slice",
            Object.class,
            Object.class,
            Object.class,
            Object.class));
    jinjava.registerFilter(new PythonIsms.ToJsonFilter());
    return jinjava;
  }

  /** {@code getErrors()} is a copy: the interpreter's own list is emptied from its end. */
  private static void clearErrors(JinjavaInterpreter interpreter) {
    for (int errors = interpreter.getErrors().size(); errors > 0; errors--) {
      interpreter.removeLastError();
    }
  }

  /** Jinjava reports most failures as errors of the render rather than exceptions. */
  private static void failOnErrors(List<TemplateError> errors) {
    for (TemplateError error : errors) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        if (error.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG) {
          throw new TemplateFailure(
              "it renders more than "
                  + TemplateSandbox.MAX_OUTPUT_CHARS / (1024 * 1024)
                  + " MiB, the most a chat template may render");
        }
        String raised = raised(error.getException());
        String refused = refused(error.getException());
        throw new TemplateFailure(
            raised != null
                ? "it raised an exception: " + raised
                : (refused != null ? refused : error.getMessage())
                    + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : ""));
      }
    }
  }

  private static String raised(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof PythonIsms.TemplateRaised raised) {
        return raised.getMessage();
      }
    }
    return null;
  }

  /** The sandbox's own words when it refused, without the exception's class name. */
  private static String refused(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof TemplateSandbox.Refused refused) {
        return refused.getMessage();
      }
    }
    return null;
  }

  private static String message(RuntimeException failure) {
    String raised = raised(failure);
    String refused = refused(failure);
    return raised != null
        ? "it raised an exception: " + raised
        : refused != null
            ? refused
            : failure.getMessage() == null ? failure.toString() : failure.getMessage();
  }

  /** A failure of the template, before the file it came from is known. */
  private static final class TemplateFailure extends RuntimeException {
    TemplateFailure(String message) {
      super(message, null, false, false);
    }

    InvalidInputException about(Path file) {
      return new InvalidInputException(
          "the chat template in "
              + file
              + " fails: "
              + getMessage()
              + ". Fix the template, or pass --no-chat-template to count prompts as their bare"
              + " text");
    }
  }

  private static JsonNode readConfig(Path config) {
    try {
      JsonNode settings = new ObjectMapper().readTree(config.toFile());
      if (settings == null || !settings.isObject()) {
        throw unreadable(config, "it is not a JSON object");
      }
      return settings;
    } catch (IOException e) {
      throw unreadable(config, e.getMessage());
    }
  }

  private static InvalidInputException unreadable(Path file, String why) {
    return new InvalidInputException(
        "cannot read the chat template in "
            + file
            + " ("
            + why
            + "): fix the file, or pass --no-chat-template to count prompts as their bare text");
  }

  /** A special token is a string, or an object whose {@code content} is one. */
  private static Map<String, String> specialTokens(JsonNode settings) {
    Map<String, String> tokens = new LinkedHashMap<>();
    if (settings == null) {
      return tokens;
    }
    for (String name : SPECIAL_TOKENS) {
      JsonNode token = settings.get(name);
      if (token != null && token.isObject()) {
        token = token.get("content");
      }
      if (token != null && token.isTextual()) {
        tokens.put(name, token.textValue());
      }
    }
    return tokens;
  }

  private static String fingerprint(String source, Map<String, String> specialTokens) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(source.getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, String> token : new java.util.TreeMap<>(specialTokens).entrySet()) {
        sha256.update(
            ("\n" + token.getKey() + "=" + token.getValue()).getBytes(StandardCharsets.UTF_8));
      }
      return "chat_template:sha256:" + HexFormat.of().formatHex(sha256.digest());
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every JDK has SHA-256", impossible);
    }
  }
}
