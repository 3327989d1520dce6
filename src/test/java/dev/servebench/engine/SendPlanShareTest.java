package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.schedule.ArrivalSchedule;
import dev.servebench.schedule.GapDistribution;
import dev.servebench.schedule.Pacer;
import dev.servebench.schedule.Shard;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A shard's plan is the one-process plan's requests of that shard, at their own times. */
class SendPlanShareTest {

  private static final int REQUESTS = 1000;

  /** The first {@link #REQUESTS} offsets of a seeded Poisson plan at 50 req/s. */
  private static SendPlan seededPlan() {
    Pacer pacer = new ArrivalSchedule(50, GapDistribution.gamma(1), 0, 42).pacer();
    int[] taken = new int[1];
    return () -> taken[0]++ < REQUESTS && pacer.hasNext() ? pacer.nextLong() : SendPlan.END;
  }

  private static List<Long> drain(SendPlan plan) {
    List<Long> offsets = new ArrayList<>();
    for (long offset = plan.nextOffsetNanos(); offset != SendPlan.END; ) {
      offsets.add(offset);
      offset = plan.nextOffsetNanos();
    }
    return offsets;
  }

  @Test
  void shardsTogetherHoldTheWholePlanAtItsOwnTimes() {
    List<Long> whole = drain(seededPlan());
    assertThat(whole).hasSize(REQUESTS);
    for (int count : new int[] {1, 2, 3, 7}) {
      int seen = 0;
      for (int index = 0; index < count; index++) {
        Shard shard = new Shard(index, count);
        List<Long> share = drain(SendPlan.shareOf(seededPlan(), shard));
        assertThat(share).hasSize((int) shard.requestsOf(REQUESTS));
        for (int local = 0; local < share.size(); local++) {
          // Not drawn again: the very time the one-process plan gives that request.
          assertThat(share.get(local)).isEqualTo(whole.get((int) shard.planIndex(local)));
        }
        seen += share.size();
      }
      assertThat(seen).isEqualTo(REQUESTS);
    }
  }

  @Test
  void aShardOfAnEndedPlanStaysEnded() {
    SendPlan share = SendPlan.shareOf(seededPlan(), new Shard(1, 3));
    drain(share);
    assertThat(share.nextOffsetNanos()).isEqualTo(SendPlan.END);
  }
}
