package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SloSearchTest {

  /**
   * A server whose share of requests meeting the objectives falls linearly from 1 to 0 between
   * {@code 0.8 * capacity} and {@code 1.2 * capacity}, crossing a 95 % target at {@code 0.82 *
   * capacity}; each measurement is the share of {@code requests} drawn binomially (seeded).
   */
  private static final class FakeServer implements SloSearch.Probe {
    final double capacity;
    final long requests;
    final SplittableRandom random = new SplittableRandom(42);
    final List<Double> measured = new ArrayList<>();

    FakeServer(double capacity, long requests) {
      this.capacity = capacity;
      this.requests = requests;
    }

    double trueShare(double load) {
      return Math.max(0, Math.min(1, (1.2 * capacity - load) / (0.4 * capacity)));
    }

    @Override
    public SloSearch.Measurement measure(double load, int attempt) {
      measured.add(load);
      double p = trueShare(load);
      long met = 0;
      for (int i = 0; i < requests; i++) {
        met += random.nextDouble() < p ? 1 : 0;
      }
      return new SloSearch.Measurement(met / (double) requests, requests);
    }
  }

  @Test
  void findsTheBoundaryOfANoisyServerWithinTheResolution() throws Exception {
    FakeServer server = new FakeServer(40, 400);
    SloSearch.Result result =
        SloSearch.run(new SloSearch.Settings(0.95, 1, 0.05, 3, false), server);

    assertThat(result.outcome()).isEqualTo(SloSearch.Outcome.FOUND);
    assertThat(result.failed()).isLessThanOrEqualTo(result.passed() * 1.05);
    // The true boundary is 0.82 * 40 = 32.8; binomial noise of 400 requests (about 1 point)
    // moves the answer by little more than the resolution.
    assertThat(result.passed()).isBetween(32.8 * 0.9, 32.8 * 1.05);
    // Bracketing from 1 by doubling: 1, 2, ..., 64; then bisection.
    assertThat(server.measured.subList(0, 7)).containsExactly(1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0);
    assertThat(result.probes()).hasSize(server.measured.size());
  }

  @Test
  void aLoadNearTheTargetIsMeasuredAgainAndJudgedByTheMedian() throws Exception {
    // Load 10 is truly fine, but its first measurement is an unlucky 0.94, within the margin of
    // the 0.95 target; the repeats say 0.97 and 0.96, and the median of the three, 0.96, passes.
    // Load 20 fails far from the target: judged at once.
    SloSearch.Probe probe =
        new SloSearch.Probe() {
          int calls;

          @Override
          public SloSearch.Measurement measure(double load, int attempt) {
            calls++;
            if (load <= 10) {
              double[] shares = {0.94, 0.97, 0.96};
              return new SloSearch.Measurement(shares[attempt - 1], 200);
            }
            return new SloSearch.Measurement(0.2, 200);
          }
        };
    SloSearch.Result result = SloSearch.run(new SloSearch.Settings(0.95, 10, 1.0, 3, false), probe);

    assertThat(result.outcome()).isEqualTo(SloSearch.Outcome.FOUND);
    assertThat(result.passed()).isEqualTo(10);
    assertThat(result.failed()).isEqualTo(20);
    assertThat(result.probes())
        .extracting(
            SloSearch.ProbeResult::load,
            SloSearch.ProbeResult::attempt,
            SloSearch.ProbeResult::judgement)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(10.0, 1, SloSearch.Judgement.NEAR),
            org.assertj.core.groups.Tuple.tuple(10.0, 2, SloSearch.Judgement.NEAR),
            org.assertj.core.groups.Tuple.tuple(10.0, 3, SloSearch.Judgement.PASS),
            org.assertj.core.groups.Tuple.tuple(20.0, 1, SloSearch.Judgement.FAIL));
  }

  @Test
  void withoutRepeatsANearMissIsTrustedAsItIs() throws Exception {
    SloSearch.Result result =
        SloSearch.run(
            new SloSearch.Settings(0.95, 10, 1.0, 1, false),
            (load, attempt) -> new SloSearch.Measurement(load <= 10 ? 0.94 : 0.2, 200));

    assertThat(result.outcome()).isEqualTo(SloSearch.Outcome.NONE_PASSED);
    assertThat(result.probes())
        .extracting(SloSearch.ProbeResult::load)
        .containsExactly(10.0, 5.0, 2.5, 1.25, 0.625);
  }

  @Test
  void marginIsTwoStandardErrorsOfTheShareAtTheTarget() {
    assertThat(SloSearch.margin(0.95, 100))
        .isCloseTo(2 * Math.sqrt(0.95 * 0.05 / 100), org.assertj.core.data.Offset.offset(1e-12));
    // Many requests, or a target of 100 %: the least margin still repeats a near miss.
    assertThat(SloSearch.margin(0.95, 10_000_000)).isEqualTo(SloSearch.MIN_MARGIN);
    assertThat(SloSearch.margin(1.0, 50)).isEqualTo(SloSearch.MIN_MARGIN);
  }

  @Test
  void aServerThatMeetsEveryLoadHasNoUpperBound() throws Exception {
    SloSearch.Result result =
        SloSearch.run(
            new SloSearch.Settings(0.9, 1, 0.05, 3, false),
            (load, attempt) -> new SloSearch.Measurement(1.0, 100));

    assertThat(result.outcome()).isEqualTo(SloSearch.Outcome.NO_UPPER_BOUND);
    assertThat(result.passed()).isEqualTo(Math.pow(2, SloSearch.MAX_DOUBLINGS));
    assertThat(result.failed()).isNaN();
  }

  @Test
  void aConcurrencySearchStopsAtNeighbouringWholeNumbers() throws Exception {
    // A closed loop meets the objectives up to 11 requests in flight.
    List<Double> probed = new ArrayList<>();
    SloSearch.Result result =
        SloSearch.run(
            new SloSearch.Settings(0.95, 1, 0.01, 3, true),
            (load, attempt) -> {
              probed.add(load);
              return new SloSearch.Measurement(load <= 11 ? 1.0 : 0.5, 100);
            });

    assertThat(result.outcome()).isEqualTo(SloSearch.Outcome.FOUND);
    assertThat(result.passed()).isEqualTo(11);
    assertThat(result.failed()).isEqualTo(12);
    assertThat(probed).allMatch(load -> load == Math.rint(load));
  }

  @Test
  void aConcurrencyThatFailsAtOneHasNoAnswer() throws Exception {
    SloSearch.Result result =
        SloSearch.run(
            new SloSearch.Settings(0.95, 4, 0.05, 3, true),
            (load, attempt) -> new SloSearch.Measurement(0.0, 100));

    assertThat(result.outcome()).isEqualTo(SloSearch.Outcome.NONE_PASSED);
    assertThat(result.probes())
        .extracting(SloSearch.ProbeResult::load)
        .containsExactly(4.0, 2.0, 1.0);
  }

  @Test
  void aStoppedProbeEndsTheSearchWithWhatItKnew() throws Exception {
    SloSearch.Result result =
        SloSearch.run(
            new SloSearch.Settings(0.95, 1, 0.05, 3, false),
            (load, attempt) -> {
              if (load > 2) {
                throw new SloSearch.Stopped();
              }
              return new SloSearch.Measurement(1.0, 100);
            });

    assertThat(result.outcome()).isEqualTo(SloSearch.Outcome.STOPPED);
    assertThat(result.passed()).isEqualTo(2);
  }
}
