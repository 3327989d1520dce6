package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencySpecTest {

  private static final int DRAWS = 50_000;

  @Test
  void normalLatenciesAreClampedAtZeroAndExactWithoutDeviation() {
    SplittableRandom random = new SplittableRandom(1);
    double normalMin = Double.MAX_VALUE;
    for (int i = 0; i < DRAWS; i++) {
      normalMin = Math.min(normalMin, new LatencySpec.Distribution.Normal(1, 5).drawMillis(random));
    }

    // Clamped at zero, not cut off at the mean.
    assertThat(normalMin).isZero();
    assertThat(new LatencySpec.Distribution.Normal(7, 0).drawMillis(random)).isEqualTo(7);
  }

  @Test
  void scriptsGiveTtftThenGapsRepeatingTheLastAndCycleByArrival() {
    LatencyModel model =
        new LatencyModel(
            new LatencySpec.Scripted(
                List.of(
                    new LatencySpec.Script(50, List.of(10.0, 250.0)),
                    new LatencySpec.Script(1, List.of(2.0)))));
    SplittableRandom random = new SplittableRandom(1);

    LatencyModel.TokenDelays first = model.forRequest(0, random, List.of());
    LatencyModel.TokenDelays third =
        model.forRequest(2, random, List.of(new Stall(1, 4, new RequestSelector.EveryNth(1))));

    assertThat(delaysMillis(first, 5)).containsExactly(50, 10, 250, 250, 250);
    assertThat(delaysMillis(third, 3)).containsExactly(50, 14, 250);
    assertThat(delaysMillis(model.forRequest(1, random, List.of()), 2)).containsExactly(1, 2);
  }

  @Test
  void readsJsonLinesSkippingBlankOnes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s.jsonl");
    Files.writeString(
        file, "{\"ttft_ms\":50,\"itl_ms\":[10,10,250,10]}\n\n{\"ttft_ms\":5.5,\"itl_ms\":[1]}\n");

    LatencySpec.Scripted scripted = LatencySpec.Scripted.fromJsonLines(file);

    assertThat(scripted.scripts())
        .containsExactly(
            new LatencySpec.Script(50, List.of(10.0, 10.0, 250.0, 10.0)),
            new LatencySpec.Script(5.5, List.of(1.0)));
  }

  @Test
  void badScriptLinesNameFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s.jsonl");
    Files.writeString(file, "{\"ttft_ms\":50,\"itl_ms\":[1]}\n{\"ttft_ms\":50,\"itl_ms\":[]}\n");
    Path notJson = dir.resolve("n.jsonl");
    Files.writeString(notJson, "ttft 50\n");

    assertThatThrownBy(() -> LatencySpec.Scripted.fromJsonLines(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("s.jsonl line 2")
        .hasMessageContaining("at least one ITL value");
    assertThatThrownBy(() -> LatencySpec.Scripted.fromJsonLines(notJson))
        .hasMessageContaining("n.jsonl line 1 is not JSON");
    assertThatThrownBy(() -> LatencySpec.Scripted.fromJsonLines(dir.resolve("missing")))
        .hasMessageContaining("cannot read latency scripts");
  }

  private static long[] delaysMillis(LatencyModel.TokenDelays delays, int tokens) {
    long[] millis = new long[tokens];
    for (int i = 0; i < tokens; i++) {
      millis[i] = delays.beforeTokenNanos(i) / 1_000_000;
    }
    return millis;
  }
}
