package dev.servebench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.schedule.RateRamp;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VllmResultJsonTest {

  private static final LocalDateTime DATE = LocalDateTime.of(2026, 3, 4, 5, 6, 7);

  private static VllmResultJson.Setup setup(
      String model, double rate, int maxConcurrency, RateRamp ramp) {
    return new VllmResultJson.Setup(
        "vllm", model, "r50k_base", rate, 1.0, maxConcurrency, ramp, PercentileMetric.DEFAULT);
  }

  /** Each row: a double, then Python's str() of it. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "10, 10.0",
    "0.5, 0.5",
    "2.25, 2.25",
    "0.1, 0.1",
    "0.0001, 0.0001",
    "0.00001, 1e-05",
    "0.000015, 1.5e-05",
    "123456789012345, 123456789012345.0",
    "1e16, 1e+16",
    "1.5e17, 1.5e+17",
    "Infinity, inf",
    "0, 0.0",
  })
  void writesFloatsAsPythonDoes(double value, String python) {
    assertThat(VllmResultJson.pythonFloat(value)).isEqualTo(python);
  }

  @Test
  void namesPercentilesAsVllmDoes() {
    assertThat(VllmResultJson.percentileWord(99)).isEqualTo("99");
    assertThat(VllmResultJson.percentileWord(99.9)).isEqualTo("99.9");
    assertThat(VllmResultJson.percentileWord(25)).isEqualTo("25");
  }

  @Test
  void fileNameFollowsVllmsPattern() {
    assertThat(VllmResultJson.fileName(setup("m", 10, 0, null), null, DATE))
        .isEqualTo("vllm-10.0qps-m-20260304-050607.json");
    assertThat(
            VllmResultJson.fileName(
                setup("meta-llama/Llama-3.1-8B", Double.POSITIVE_INFINITY, 64, null), null, DATE))
        .isEqualTo("vllm-infqps-concurrency64-Llama-3.1-8B-20260304-050607.json");
    assertThat(VllmResultJson.fileName(setup("m", 2.5, 0, null), "nightly", DATE))
        .isEqualTo("nightly-2.5qps-m-20260304-050607.json");
    RateRamp ramp = new RateRamp(RateRamp.Strategy.EXPONENTIAL, 1, 64, 100);
    assertThat(VllmResultJson.fileName(setup("m", Double.POSITIVE_INFINITY, 8, ramp), null, DATE))
        .isEqualTo("vllm-ramp-up-exponential-1qps-64qps-concurrency8-m-20260304-050607.json");
    // No model named or listed: a placeholder, not an empty part ("-infqps--<date>").
    assertThat(VllmResultJson.fileName(setup("", Double.POSITIVE_INFINITY, 0, null), null, DATE))
        .isEqualTo("vllm-infqps-unknown-model-20260304-050607.json");
  }

  @Test
  void resultFilenameAndDirectoryReplaceTheName() {
    VllmResultJson.Options named =
        new VllmResultJson.Options(false, false, java.nio.file.Path.of("out"), "r.json", null);
    assertThat(VllmResultJson.path(named, setup("m", 1, 0, null), DATE))
        .isEqualTo(java.nio.file.Path.of("out", "r.json"));
    VllmResultJson.Options here = new VllmResultJson.Options(true, false, null, null, "x");
    assertThat(VllmResultJson.path(here, setup("m", 1, 0, null), DATE))
        .isEqualTo(java.nio.file.Path.of("x-1.0qps-m-20260304-050607.json"));
  }

  @Test
  void metricsNamesAreVllmsAndParsedInOrder() {
    assertThat(PercentileMetric.parse(List.of("e2el", "TTFT", "client_queue_time")))
        .containsExactly(
            PercentileMetric.E2EL, PercentileMetric.TTFT, PercentileMetric.CLIENT_QUEUE_TIME);
  }
}
