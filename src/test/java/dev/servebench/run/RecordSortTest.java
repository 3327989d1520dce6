package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Records;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records put in the merged order through sorted runs on disk, and in memory. */
class RecordSortTest {

  @TempDir Path dir;

  /** 500 records in a shuffled order, some sharing an intended time (then ordered by index). */
  private static List<RequestRecord> shuffled() {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      records.add(Records.complete(i, (i / 3) * 10L, 40, 20, 5));
    }
    java.util.Collections.shuffle(records, new Random(9));
    return records;
  }

  private List<Integer> drained(int inMemoryRecords, int[] spilledRuns) throws IOException {
    List<Integer> order = new ArrayList<>();
    Path spill = dir.resolve("spill-" + inMemoryRecords);
    try (RecordSort sort = new RecordSort(spill, inMemoryRecords, Long.MAX_VALUE, 256)) {
      for (RequestRecord record : shuffled()) {
        sort.add(record);
      }
      spilledRuns[0] = sort.spilledRuns();
      sort.drainInOrder(record -> order.add(record.index()));
    }
    assertThat(spill).doesNotExist();
    return order;
  }

  @Test
  void everyRecordOnceInIntendedThenIndexOrderWhateverTheMemory() throws IOException {
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      expected.add(i);
    }
    int[] runs = new int[1];

    assertThat(drained(1000, runs)).isEqualTo(expected);
    assertThat(runs[0]).isZero();
    assertThat(drained(7, runs)).isEqualTo(expected);
    assertThat(runs[0]).isEqualTo(71); // 497 records in runs of 7, the last 3 held
    assertThat(drained(1, runs)).isEqualTo(expected);
    assertThat(runs[0]).isEqualTo(499);
  }

  @Test
  void closingWithoutDrainingRemovesTheRuns() throws IOException {
    Path spill = dir.resolve("spill");
    try (RecordSort sort = new RecordSort(spill, 10, Long.MAX_VALUE, 256)) {
      for (RequestRecord record : shuffled()) {
        sort.add(record);
      }
      assertThat(Files.list(spill).count()).isEqualTo(49);
    }
    assertThat(spill).doesNotExist();
  }

  @Test
  void longAnswersSpillByTheirEstimatedSize() throws IOException {
    // 20 records of 100 chunks each: 350 + 12 * 100 = 1,550 bytes by the estimate, so a budget
    // of 5,000 holds 3 and the 4th, 7th, ... 19th each spill the held ones first.
    long[] chunks = new long[100];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = 10 + c;
    }
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 19; i >= 0; i--) {
      records.add(Records.streamed(i, i * 10L, i * 10L, 20, 100, chunks));
    }
    assertThat(RecordSort.estimatedBytes(records.get(0))).isEqualTo(1550);
    List<Integer> order = new ArrayList<>();
    try (RecordSort sort = new RecordSort(dir.resolve("long"), 1000, 5000, 256)) {
      for (RequestRecord record : records) {
        sort.add(record);
      }
      assertThat(sort.spilledRuns()).isEqualTo(6);
      sort.drainInOrder(record -> order.add(record.index()));
    }
    assertThat(order)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
  }

  @Test
  void runsPastTheFanInAreMergedInPasses() throws IOException {
    List<Integer> order = new ArrayList<>();
    Path spill = dir.resolve("fan-in");
    try (RecordSort sort = new RecordSort(spill, 7, Long.MAX_VALUE, 3)) {
      for (RequestRecord record : shuffled()) {
        sort.add(record);
      }
      assertThat(sort.spilledRuns()).isEqualTo(71);
      sort.drainInOrder(record -> order.add(record.index()));
      // 71 runs merged three at a time until three are left for the last merge.
      assertThat(sort.spilledRuns()).isLessThanOrEqualTo(3);
      try (java.util.stream.Stream<Path> left = Files.list(spill)) {
        assertThat(left.count()).isEqualTo(sort.spilledRuns());
      }
    }
    assertThat(spill).doesNotExist();
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      expected.add(i);
    }
    assertThat(order).isEqualTo(expected);
  }
}
