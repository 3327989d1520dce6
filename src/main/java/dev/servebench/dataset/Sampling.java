package dev.servebench.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Seeded sampling shared by the file formats, so a seed picks the same prompts every run. */
final class Sampling {

  private Sampling() {}

  /**
   * {@code count} distinct items of {@code items} in random order, like Python's {@code
   * random.sample}: the first {@code count} steps of a Fisher-Yates shuffle, seeded.
   */
  static <T> List<T> withoutReplacement(List<T> items, int count, long seed) {
    if (count > items.size()) {
      throw new IllegalArgumentException(count + " of " + items.size() + " items");
    }
    List<T> pool = new ArrayList<>(items);
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      Collections.swap(pool, i, i + random.nextInt(pool.size() - i));
    }
    return List.copyOf(pool.subList(0, count));
  }

  /**
   * {@code count} distinct integers of {@code [0, total)} in random order, without building the
   * whole range (Floyd's algorithm, then a seeded shuffle): the range may be far larger than the
   * sample.
   */
  static List<Long> distinctIndices(long total, int count, Random random) {
    if (count > total) {
      throw new IllegalArgumentException(count + " of " + total + " indices");
    }
    Set<Long> chosen = new LinkedHashSet<>();
    for (long j = total - count; j < total; j++) {
      long pick = random.nextLong(j + 1);
      chosen.add(chosen.contains(pick) ? j : pick);
    }
    List<Long> shuffled = new ArrayList<>(chosen);
    Collections.shuffle(shuffled, random);
    return shuffled;
  }
}
