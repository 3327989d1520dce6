package dev.servebench.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.testing.Expositions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The text format's own example, its escapes and special values, and what breaks it. */
class ExpositionParserTest {

  @Test
  void theFormatsOwnExampleReadsWhole() {
    Exposition exposition = ExpositionParser.parse(Expositions.fixture("spec-example.prom"));

    assertThat(exposition.samples()).hasSize(2 + 1 + 1 + 1 + 8 + 7);
    assertThat(exposition.types())
        .containsOnly(
            Map.entry("http_requests_total", "counter"),
            Map.entry("http_request_duration_seconds", "histogram"),
            Map.entry("rpc_duration_seconds", "summary"));
    Sample first = exposition.samples().get(0);
    assertThat(first.name()).isEqualTo("http_requests_total");
    assertThat(first.labels())
        .containsExactly(Map.entry("method", "post"), Map.entry("code", "200"));
    assertThat(first.value()).isEqualTo(1027); // the timestamp after it is dropped
    assertThat(exposition.samples().get(1).value()).isEqualTo(3);

    Sample escaped = exposition.samples().get(2);
    assertThat(escaped.labels())
        .containsExactly(
            Map.entry("path", "C:\\DIR\\FILE.TXT"),
            Map.entry("error", "Cannot find file:\n\"FILE.TXT\""));
    assertThat(escaped.value()).isEqualTo(1.458255915e9);
    assertThat(exposition.samples().get(3).labels()).isEmpty();
    assertThat(exposition.samples().get(3).value()).isEqualTo(12.47);
    assertThat(exposition.samples().get(4).value()).isEqualTo(Double.POSITIVE_INFINITY);

    Sample infBucket = exposition.samples().get(10);
    assertThat(infBucket.labels()).containsExactly(Map.entry("le", "+Inf"));
    assertThat(infBucket.value()).isEqualTo(144320);
    assertThat(exposition.typeOf("http_request_duration_seconds_bucket")).isEqualTo("histogram");
    assertThat(exposition.typeOf("rpc_duration_seconds_count")).isEqualTo("summary");
    assertThat(exposition.typeOf("rpc_duration_seconds")).isEqualTo("summary");
    assertThat(exposition.typeOf("metric_without_timestamp_and_labels")).isEqualTo("untyped");
    assertThat(exposition.samples().getLast().value()).isEqualTo(2693);
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "NaN, NaN",
    "nan, NaN",
    "+Inf, Infinity",
    "Inf, Infinity",
    "-Inf, -Infinity",
    "1.7560473e+07, 1.7560473e7",
    "-0.5, -0.5",
    ".5, 0.5",
    "3, 3"
  })
  void valuesAreReadAsGoReadsThem(String text, double expected) {
    Sample sample = ExpositionParser.parse("x " + text + "\n").samples().get(0);
    assertThat(Double.valueOf(sample.value())).isEqualTo(Double.valueOf(expected));
  }

  @Test
  void otherCommentsBlankLinesAndCarriageReturnsAreSkipped() {
    Exposition exposition =
        ExpositionParser.parse("# just a remark\r\n\n   \n\ta{b=\"c\",} 1\r\n# HELP a text\n");
    assertThat(exposition.samples())
        .containsExactly(new Sample("a", Map.of("b", "c"), 1)); // a trailing comma is allowed
  }

  @Test
  void quotedNamesOutsideTheLegacyCharacterSetAreRead() {
    Exposition exposition =
        ExpositionParser.parse(
            "# TYPE \"my.metric\" gauge\n{\"my.metric\",\"label.with.dots\"=\"v\"} 2\n");
    Sample sample = exposition.samples().get(0);
    assertThat(sample.name()).isEqualTo("my.metric");
    assertThat(sample.labels()).containsExactly(Map.entry("label.with.dots", "v"));
    assertThat(exposition.typeOf("my.metric")).isEqualTo("gauge");
  }

  @Test
  void aSeriesReadsBackFromWhatItWrites() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("path", "C:\\DIR\\\"x\"\nend");
    labels.put("model_name", "meta-llama/Llama-3.1-8B-Instruct");
    labels.put("odd.name", "1");
    for (Sample sample :
        List.of(
            new Sample("vllm:num_requests_running", labels, 0),
            new Sample("plain", Map.of(), 0),
            new Sample("needs.quotes", Map.of(), 0),
            new Sample("needs.quotes", Map.of("a", "b"), 0))) {
      Sample back = ExpositionParser.parseSeries(sample.series(), 7.5);
      assertThat(back.name()).isEqualTo(sample.name());
      assertThat(back.labels()).containsExactlyEntriesOf(sample.labels());
      assertThat(back.value()).isEqualTo(7.5);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a{b=\"c\"", // no closing brace
        "a{b=c} 1", // unquoted value
        "a{b=\"c\\t\"} 1", // not an escape of the format
        "a 1 2 3", // more than a timestamp
        "a one", // not a number
        "a 1 12.5", // a timestamp is whole milliseconds
        "a", // no value
        "9a 1", // a name starts with no digit
        "# TYPE a gaug", // no such type
        "# TYPE", // no name
        "# HELP ", // no name, a blank after the keyword
        "# TYPE a", // no type
        "{", // neither name nor labels
      })
  void aLineThatBreaksTheFormatIsNamed(String line) {
    assertThatThrownBy(() -> ExpositionParser.parse("ok 1\n" + line + "\n"))
        .isInstanceOf(MalformedExpositionException.class)
        .hasMessageStartingWith("line 2: ");
  }

  @Test
  void everyTruncationOfTheFixturesParsesOrIsMalformedAndNothingElse() {
    Random random = new Random(20261205);
    for (String name :
        List.of("spec-example.prom", "vllm.prom", "sglang.prom", "tgi.prom", "llamacpp.prom")) {
      String text = Expositions.fixture(name, 1, 2, 3);
      // Every line cut at every point, and the whole page cut at random points (a short read).
      for (String line : text.split("\n")) {
        for (int end = 0; end <= line.length(); end++) {
          parsesOrIsMalformed(line.substring(0, end));
        }
      }
      for (int i = 0; i < 200; i++) {
        parsesOrIsMalformed(text.substring(0, random.nextInt(text.length() + 1)));
      }
    }
    parsesOrIsMalformedSeries("");
    parsesOrIsMalformedSeries("a{");
  }

  private static void parsesOrIsMalformed(String text) {
    try {
      ExpositionParser.parse(text);
    } catch (MalformedExpositionException expected) {
      assertThat(expected.getMessage()).startsWith("line ");
    }
  }

  private static void parsesOrIsMalformedSeries(String series) {
    assertThatThrownBy(() -> ExpositionParser.parseSeries(series, 1))
        .isInstanceOf(MalformedExpositionException.class);
  }
}
