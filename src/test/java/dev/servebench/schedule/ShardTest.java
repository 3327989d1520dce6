package dev.servebench.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a plan's requests, warm-up and concurrency are divided among its shards. */
class ShardTest {

  @Test
  void commandLineCountsShardsFromOne() {
    assertThat(Shard.parse("1/3")).isEqualTo(new Shard(0, 3));
    assertThat(Shard.parse(" 3/3 ")).isEqualTo(new Shard(2, 3));
    assertThat(Shard.parse("2/3").label()).isEqualTo("2/3");
    assertThat(Shard.WHOLE.whole()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0/3", "4/3", "1/0", "1", "a/b", "1/2/3", "", "-1/2"})
  void badShardsAreRefusedNamingTheForm(String text) {
    assertThatThrownBy(() -> Shard.parse(text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--shard must be I/N");
  }

  @Test
  void everyRequestBelongsToExactlyOneShardInPlanOrder() {
    for (int count = 1; count <= 7; count++) {
      for (long total : new long[] {0, 1, 5, 6, 7, 100, 101}) {
        int[] owners = new int[(int) total];
        long shared = 0;
        for (int index = 0; index < count; index++) {
          Shard shard = new Shard(index, count);
          long requests = shard.requestsOf(total);
          shared += requests;
          long previous = -1;
          for (long local = 0; local < requests; local++) {
            long planIndex = shard.planIndex(local);
            assertThat(planIndex).isGreaterThan(previous).isLessThan(total);
            assertThat(shard.owns(planIndex)).isTrue();
            owners[(int) planIndex]++;
            previous = planIndex;
          }
          // The next one would lie past the plan.
          assertThat(shard.planIndex(requests)).isGreaterThanOrEqualTo(total);
        }
        assertThat(shared).as("%d requests in %d shards", total, count).isEqualTo(total);
        assertThat(owners).containsOnly(total == 0 ? new int[0] : new int[] {1});
      }
    }
  }

  @Test
  void warmupRequestsAreTheShardsShareOfThePlansFirstOnes() {
    // 10 requests, the first 4 warm-up, in 3 shards: shard 1 has 0, 3 (warm-up), 6, 9.
    Shard first = new Shard(0, 3);
    assertThat(first.requestsOf(4)).isEqualTo(2);
    assertThat(first.requestsOf(10) - first.requestsOf(4)).isEqualTo(2);
    // Shard 3 has 2 (warm-up), 5, 8.
    Shard third = new Shard(2, 3);
    assertThat(third.requestsOf(4)).isEqualTo(1);
    assertThat(third.requestsOf(10) - third.requestsOf(4)).isEqualTo(2);
  }

  @Test
  void concurrencyIsSplitAsEvenlyAsPossible() {
    for (int count = 1; count <= 9; count++) {
      for (int total = count; total <= 40; total++) {
        List<Integer> parts = new ArrayList<>();
        for (int index = 0; index < count; index++) {
          parts.add(new Shard(index, count).concurrencyOf(total));
        }
        assertThat(parts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(total);
        int max = parts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        int min = parts.stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(1);
        assertThat(min).isPositive();
      }
    }
    // 8 streams in 3 shards: 3, 3, 2, the larger shares first.
    assertThat(new Shard(0, 3).concurrencyOf(8)).isEqualTo(3);
    assertThat(new Shard(1, 3).concurrencyOf(8)).isEqualTo(3);
    assertThat(new Shard(2, 3).concurrencyOf(8)).isEqualTo(2);
    // No cap stays no cap.
    assertThat(new Shard(1, 3).concurrencyOf(0)).isZero();
  }
}
