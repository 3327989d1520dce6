package dev.servebench.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.testing.Fuzz;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-written reader against Jackson's streaming parser, which it replaced: on every object
 * below, and on thousands of mutations of them, both read the same fields or both refuse the bytes.
 * The one allowed difference: the reader also refuses UTF-8 that is invalid by RFC 3629 (overlong
 * forms, encoded surrogates) and that Jackson lets through.
 */
class OpenAiPayloadTest {

  private static final List<String> OBJECTS =
      List.of(
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
              + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" sea\"},"
              + "\"logprobs\":null,\"finish_reason\":null}]}",
          "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
          "{\"choices\":[{\"delta\":{\"reasoning_content\":\"hm \\\"q\\\" \\\\ \\/ \\n\\t\"}}]}",
          "{\"choices\":[{\"delta\":{\"reasoning\":\"\\u00e9\\ud83d\\ude00 日本語 🙂\"}}]}",
          "{\"choices\":[{\"text\":\" The end\",\"index\":0}],\"usage\":null}",
          "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":40,"
              + "\"completion_tokens\":28,\"prompt_tokens_details\":{\"cached_tokens\":0}}}",
          "{\"usage\":{\"prompt_tokens\":-1,\"completion_tokens\":2.5e3}}",
          "{\"usage\":{\"prompt_tokens\":2147483647,\"completion_tokens\":0}}",
          "{\"usage\":{\"prompt_tokens\":2147483648}}",
          "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Hi ✓\"}}],"
              + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}",
          "{\"choices\":[1,{\"delta\":{\"content\":\"second\"}}]}",
          "{\"choices\":[{\"delta\":{\"content\":null,\"tool_calls\":[{\"id\":\"x\"}]}}]}",
          "{\"error\":{\"message\":\"overloaded\",\"code\":503}}",
          "{\"error\":{\"code\":503}}",
          "{\"error\":\"engine died\"}",
          "{\"error\":null,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}",
          "{\"error\":42}",
          "{\"error\":[1,2]}",
          "{\"error\":true}",
          "{\"choic\\u0065s\":[{\"delta\":{\"content\":\"escaped name\"}}]}",
          " \r\n\t{ \"choices\" : [ { \"delta\" : { \"content\" : \"spaced\" } } ] } ",
          "{\"a\":{\"b\":[true,false,null,-0,0.5,1E+2,{\"c\":[]}]},\"choices\":[{\"text\":\"t\"}]}",
          "{}",
          "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]} trailing bytes are not read");

  @Test
  void readsTheFieldsJacksonRead() throws IOException {
    for (String object : OBJECTS) {
      assertSameAsJackson(object.getBytes(StandardCharsets.UTF_8));
    }
    OpenAiPayload payload =
        read("{\"choices\":[{\"delta\":{\"reasoning\":\"\\u00e9\\ud83d\\ude00\"}}]}");
    assertThat(payload.reasoning).isEqualTo("é😀");
    assertThat(read("{\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":9}}").completionTokens)
        .isEqualTo(9);
  }

  @Test
  void mutationsAreReadOrRefusedAsJacksonDid() {
    SplittableRandom random = new SplittableRandom(20261128);
    int iterations = Fuzz.iterations(20_000);
    for (int i = 0; i < iterations; i++) {
      byte[] seed = OBJECTS.get(random.nextInt(OBJECTS.size())).getBytes(StandardCharsets.UTF_8);
      byte[] mutated =
          random.nextBoolean() ? Fuzz.mutate(seed, random) : Fuzz.replaceJsonValue(seed, random);
      try {
        assertSameAsJackson(mutated);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "iteration " + i + " on: " + new String(mutated, StandardCharsets.UTF_8), e);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "[]",
        "{",
        "{\"choices\":[{\"delta\":{\"content\":\"cut",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\":nul}",
        "{\"a\":tru}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12G4\"}",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{'a':1}",
      })
  void refusesWhatIsNotAJsonObject(String text) {
    assertThatThrownBy(() -> read(text)).isInstanceOf(IOException.class);
  }

  @Test
  void refusesControlCharactersAndInvalidUtf8InStrings() {
    byte[] prefix = "{\"choices\":[{\"delta\":{\"content\":\"".getBytes(StandardCharsets.UTF_8);
    for (byte[] bad :
        List.of(
            new byte[] {0x01},
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0xC3, 0x28},
            new byte[] {(byte) 0xC0, (byte) 0xAF},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98})) {
      byte[] body =
          ByteBuffer.allocate(prefix.length + bad.length + 5)
              .put(prefix)
              .put(bad)
              .put("\"}}]}".getBytes(StandardCharsets.US_ASCII))
              .array();
      assertThatThrownBy(() -> new OpenAiPayload().read(body, 0, body.length))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void refusesNestingDeeperThanJacksonAllows() {
    String deep = "{\"a\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
    assertThatThrownBy(() -> read(deep)).hasMessageContaining("deeper than 1000");
  }

  @Test
  void readsAWindowOfALargerArray() throws IOException {
    byte[] bytes =
        "xx{\"choices\":[{\"text\":\"in\"}]}{\"choices\":".getBytes(StandardCharsets.UTF_8);
    OpenAiPayload payload = new OpenAiPayload();
    payload.read(bytes, 2, 28);
    assertThat(payload.content).isEqualTo("in");
  }

  @Test
  void errorOffsetsCountFromTheObjectNotTheArray() {
    // The same malformed object alone and inside a read, as the stream parser hands events over.
    String bad = "{\"choices\":[{\"text\":nul}]}";
    assertThatThrownBy(() -> read(bad)).hasMessageEndingWith("at offset 20");
    byte[] inRead = ("data: " + bad + "\n\n").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new OpenAiPayload().read(inRead, 6, bad.length()))
        .hasMessageEndingWith("at offset 20");
  }

  private static OpenAiPayload read(String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    OpenAiPayload payload = new OpenAiPayload();
    payload.read(bytes, 0, bytes.length);
    return payload;
  }

  /**
   * One reader for a whole stream, as the stream parser keeps it: an object shaped as the last
   * plain-content one is read by comparing bytes (see OpenAiPayload), and these are that shape
   * around every kind of value, and mutations of it, each against Jackson.
   */
  @Test
  void aReaderKeptAcrossEventsReadsEachAsJacksonDid() {
    SplittableRandom random = new SplittableRandom(20261129);
    OpenAiPayload reused = new OpenAiPayload();
    String prefix = OBJECTS.get(0).substring(0, OBJECTS.get(0).indexOf(" sea"));
    String suffix = OBJECTS.get(0).substring(OBJECTS.get(0).indexOf(" sea") + 4);
    byte[] alphabet = "ab \"\\\u0000\u001f\u007f/\u00e9日".getBytes(StandardCharsets.UTF_8);
    int iterations = Fuzz.iterations(20_000);
    for (int i = 0; i < iterations; i++) {
      byte[] value = new byte[random.nextInt(random.nextInt(10) == 0 ? 5000 : 12)];
      for (int k = 0; k < value.length; k++) {
        value[k] =
            random.nextInt(4) == 0
                ? alphabet[random.nextInt(alphabet.length)]
                : (byte) (' ' + random.nextInt(95));
      }
      byte[] event =
          (prefix + new String(value, StandardCharsets.ISO_8859_1) + suffix)
              .getBytes(StandardCharsets.ISO_8859_1);
      if (random.nextInt(5) == 0) {
        event = Fuzz.mutate(event, random);
      } else if (random.nextInt(10) == 0) {
        event = OBJECTS.get(random.nextInt(OBJECTS.size())).getBytes(StandardCharsets.UTF_8);
      }
      try {
        assertSameAsJackson(event, reused);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "iteration " + i + " on: " + new String(event, StandardCharsets.UTF_8), e);
      }
    }
  }

  @Test
  void theShortcutReadsTheContentOfEventsShapedAsTheLast() throws IOException {
    OpenAiPayload payload = new OpenAiPayload();
    String first = "{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"one\"}}]}";
    payload.read(first.getBytes(StandardCharsets.UTF_8), 0, first.length());

    byte[] second =
        "..{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\" two, three\"}}]}"
            .getBytes(StandardCharsets.UTF_8);
    payload.read(second, 2, second.length - 2);
    assertThat(payload.content).isEqualTo(" two, three");

    byte[] usage =
        "{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}"
            .getBytes(StandardCharsets.UTF_8);
    payload.read(usage, 0, usage.length);
    assertThat(payload.content).isNull();
    assertThat(payload.completionTokens).isEqualTo(2);

    byte[] escaped =
        "{\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"a\\nb\"}}]}"
            .getBytes(StandardCharsets.UTF_8);
    payload.read(escaped, 0, escaped.length);
    assertThat(payload.content).isEqualTo("a\nb");
  }

  private static void assertSameAsJackson(byte[] bytes) {
    assertSameAsJackson(bytes, new OpenAiPayload());
  }

  private static void assertSameAsJackson(byte[] bytes, OpenAiPayload ours) {
    JacksonPayloadReference jackson = new JacksonPayloadReference();
    IOException jacksonFailure = null;
    try {
      jackson.read(bytes, 0, bytes.length);
    } catch (IOException e) {
      jacksonFailure = e;
    }
    IOException ourFailure = null;
    try {
      ours.read(bytes, 0, bytes.length);
    } catch (IOException e) {
      ourFailure = e;
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (jacksonFailure != null) {
      assertThat(ourFailure).as("Jackson refused (%s): %s", jacksonFailure, text).isNotNull();
      return;
    }
    if (ourFailure != null) {
      assertThat(ourFailure.getMessage())
          .as("Jackson read what this reader refused: %s", text)
          .contains("invalid UTF-8");
      assertThat(isStrictUtf8(bytes)).as("the bytes are valid UTF-8: %s", text).isFalse();
      return;
    }
    assertThat(ours.content).as("content of %s", text).isEqualTo(jackson.content);
    assertThat(ours.reasoning).as("reasoning of %s", text).isEqualTo(jackson.reasoning);
    assertThat(ours.promptTokens).as("prompt tokens of %s", text).isEqualTo(jackson.promptTokens);
    assertThat(ours.completionTokens)
        .as("completion tokens of %s", text)
        .isEqualTo(jackson.completionTokens);
    assertThat(ours.errorMessage).as("error of %s", text).isEqualTo(jackson.errorMessage);
  }

  private static boolean isStrictUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
