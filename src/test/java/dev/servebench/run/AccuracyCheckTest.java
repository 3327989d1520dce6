package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * servebench's stamps against the mock server's own write times. The bounds here are loose on
 * purpose (a shared CI machine can stall any thread for a few ms); {@code servebench accuracy}
 * prints the real figures, which the README quotes.
 */
class AccuracyCheckTest {

  @Test
  void oneStreamArrivesJustAfterEachWrite() throws Exception {
    AccuracyCheck.Result result = AccuracyCheck.run(new AccuracyCheck.Load(1, 5, 20, 10, 5, 2));
    assertThat(result.failedRequests()).isZero();
    assertThat(result.tokenCountsMatch()).isTrue();
    assertThat(result.requests()).isEqualTo(5);
    assertThat(result.chunks()).isEqualTo(5 * 20);
    assertThat(result.chunkDelay().p50Nanos()).isLessThan(2_000_000);
    assertThat(result.itlError().p50Nanos()).isLessThan(2_000_000);
  }

  @Test
  void manyStreamsKeepEveryChunkAndItsTiming() throws Exception {
    AccuracyCheck.Result result = AccuracyCheck.run(new AccuracyCheck.Load(100, 2, 20, 10, 10, 3));
    assertThat(result.failedRequests()).isZero();
    assertThat(result.tokenCountsMatch()).isTrue();
    assertThat(result.chunks()).isEqualTo(100 * 2 * 20);
    assertThat(result.chunkDelay().p50Nanos()).isLessThan(5_000_000);
  }
}
