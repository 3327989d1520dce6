package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceSchedulerTest {

  /** A slot that remembers being admitted late, as a request's event loop would be told. */
  private static final class Recorded extends SequenceScheduler.Slot {
    private final List<Recorded> admittedLate;

    Recorded(List<Recorded> admittedLate) {
      this.admittedLate = admittedLate;
    }

    @Override
    void admitted(long admittedNanos) {
      assertThat(admittedNanos).isEqualTo(admission().admittedNanos());
      admittedLate.add(this);
    }
  }

  private final List<Recorded> admittedLate = new ArrayList<>();

  private List<Recorded> slots(int count) {
    List<Recorded> slots = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      slots.add(new Recorded(admittedLate));
    }
    return slots;
  }

  @Test
  void beyondTheLimitRequestsWaitAndAreAdmittedFirstInFirstOut() {
    SequenceScheduler scheduler = new SequenceScheduler(new CapacitySpec(2, 0, 0));
    List<Recorded> slots = slots(5);

    List<Boolean> ranAtOnce = slots.stream().map(scheduler::enter).toList();

    assertThat(ranAtOnce).containsExactly(true, true, false, false, false);
    assertThat(scheduler.counts()).containsExactly(2, 3);
    // Whichever finishes, the oldest waiting request gets its place; the count never dips.
    scheduler.leave(slots.get(1));
    scheduler.leave(slots.get(0));
    assertThat(admittedLate).containsExactly(slots.get(2), slots.get(3));
    assertThat(scheduler.counts()).containsExactly(2, 1);
    for (int i = 0; i < 4; i++) {
      assertThat(slots.get(i).admission().admissionNumber()).isEqualTo(i);
      assertThat(slots.get(i).admission().entryNumber()).isEqualTo(i);
    }
    assertThat(slots.get(2).admission().admittedNanos())
        .isGreaterThanOrEqualTo(slots.get(2).admission().enteredNanos());
  }

  @Test
  void aRequestThatGivesUpWaitingLosesItsTurnAndLeavingTwiceChangesNothing() {
    SequenceScheduler scheduler = new SequenceScheduler(new CapacitySpec(1, 0, 0));
    List<Recorded> slots = slots(3);
    slots.forEach(scheduler::enter);

    scheduler.leave(slots.get(1));
    scheduler.leave(slots.get(1));

    assertThat(scheduler.counts()).containsExactly(1, 1);
    scheduler.leave(slots.get(0));
    assertThat(admittedLate).containsExactly(slots.get(2));
    assertThat(scheduler.counts()).containsExactly(1, 0);
    scheduler.leave(slots.get(2));
    scheduler.leave(slots.get(2));
    assertThat(scheduler.counts()).containsExactly(0, 0);
    assertThat(scheduler.runningSequences()).isZero();
    assertThat(scheduler.waitingRequests()).isZero();
  }

  @Test
  void aSlotThatNeverEnteredIsIgnored() {
    SequenceScheduler scheduler = new SequenceScheduler(new CapacitySpec(1, 0, 0));
    scheduler.enter(new Recorded(admittedLate));

    scheduler.leave(new Recorded(admittedLate));

    assertThat(scheduler.counts()).containsExactly(1, 0);
  }

  @Test
  void withoutALimitEveryRequestRunsAtOnceAndIsCounted() {
    SequenceScheduler scheduler = new SequenceScheduler(CapacitySpec.UNLIMITED);

    List<Recorded> slots = slots(1000);
    assertThat(slots).allMatch(scheduler::enter);

    assertThat(scheduler.counts()).containsExactly(1000, 0);
    assertThat(scheduler.gapNanos(7)).isEqualTo(7);
  }

  @Test
  void aGapIsTheRunningSequencesShareOfTheBudgetWhenThatIsLonger() {
    // 100 tokens a second among 4 running: each gets one every 40 ms.
    SequenceScheduler scheduler = new SequenceScheduler(new CapacitySpec(8, 100, 0));
    slots(4).forEach(scheduler::enter);

    assertThat(scheduler.gapNanos(1_000_000)).isEqualTo(40_000_000);
    assertThat(scheduler.gapNanos(50_000_000)).isEqualTo(50_000_000);
  }

  @Test
  void thousandsOfRequestsWaitAndDrainInOrder() {
    SequenceScheduler scheduler = new SequenceScheduler(new CapacitySpec(3, 0, 0));
    List<Recorded> slots = slots(10_000);
    slots.forEach(scheduler::enter);
    assertThat(scheduler.counts()).containsExactly(3, 9_997);

    for (Recorded slot : slots) {
      scheduler.leave(slot);
    }

    assertThat(admittedLate).containsExactlyElementsOf(slots.subList(3, slots.size()));
    assertThat(scheduler.counts()).containsExactly(0, 0);
  }
}
