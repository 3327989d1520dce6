package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The run id names what a run was; the label and metadata it is called by are checked. */
class RunIdTest {

  private static RunConfig.Load load(double rate, int concurrency, Double traceTimeScale) {
    return new RunConfig.Load(
        rate,
        RunConfig.Arrival.GAMMA,
        1,
        null,
        concurrency,
        0,
        -1,
        0,
        0,
        Duration.ZERO,
        traceTimeScale,
        null);
  }

  @ParameterizedTest(name = "{0} req/s, concurrency {1} -> {2}")
  @CsvSource({
    // A rate as a plain number, without trailing zeros.
    "10, 0, 10rps",
    "2.5, 0, 2.5rps",
    "0.125, 0, 0.125rps",
    // Six significant digits: a third of a request per second stays short.
    "0.3333333333, 0, 0.333333rps",
    // Everything at once.
    "Infinity, 0, inf-rps",
    // A closed loop has no rate: its concurrency.
    "Infinity, 8, c8",
  })
  void theLoadPartSaysTheRateOrTheConcurrency(double rate, int concurrency, String expected) {
    assertThat(RunId.load(load(rate, concurrency, null))).isEqualTo(expected);
  }

  @Test
  void aTraceReplayIsTrace() {
    assertThat(RunId.load(load(Double.POSITIVE_INFINITY, 0, 1.0))).isEqualTo("trace");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // The last path segment of a Hugging Face id or a local path.
    "meta-llama/Llama-3.1-8B-Instruct, Llama-3.1-8B-Instruct",
    "/models/qwen2.5-7b/, qwen2.5-7b",
    "gpt2, gpt2",
    // Anything outside A-Za-z0-9._- becomes '_'.
    "'my model:v1', my_model_v1",
  })
  void theModelPartIsItsLastSegmentMadeFileSafe(String model, String expected) {
    assertThat(RunId.model(model)).isEqualTo(expected);
  }

  @Test
  void aLongModelNameIsCut() {
    assertThat(RunId.model("org/" + "x".repeat(200))).hasSize(RunId.MAX_MODEL_CHARS);
    assertThat(RunId.model(null)).isEmpty();
  }

  @Test
  void labelsAndMetadataAreCheckedWithMessagesThatSayWhatToDo() {
    assertThatThrownBy(() -> new RunConfig.Identity("a/b", Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--label 'a/b' must be a non-empty name without '/'");
    assertThatThrownBy(() -> new RunConfig.Identity(" ", Map.of()))
        .hasMessageContaining("must be a non-empty name");
    assertThatThrownBy(() -> RunConfig.Identity.parseMetadata(List.of("gpu")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--metadata 'gpu' is not KEY=VALUE");
    assertThatThrownBy(() -> RunConfig.Identity.parseMetadata(List.of("=H100")))
        .hasMessageContaining("--metadata '=H100' is not KEY=VALUE");
    assertThatThrownBy(() -> RunConfig.Identity.parseMetadata(List.of("a b=1")))
        .hasMessageContaining("--metadata key 'a b' contains a space");
    assertThatThrownBy(() -> RunConfig.Identity.parseMetadata(List.of("gpu=A", "gpu=B")))
        .hasMessageContaining("--metadata gpu is given twice");
    // The value is everything after the first '=', and may be empty or hold '='.
    assertThat(RunConfig.Identity.parseMetadata(List.of("flags=--x=1", "note=", "gpu=H100")))
        .containsExactly(
            Map.entry("flags", "--x=1"), Map.entry("note", ""), Map.entry("gpu", "H100"));
  }
}
