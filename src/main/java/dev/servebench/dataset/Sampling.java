package dev.servebench.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

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
    Permutation order = new Permutation(items.size(), seed);
    List<T> chosen = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      chosen.add(items.get(order.next()));
    }
    return List.copyOf(chosen);
  }

  /**
   * A Fisher-Yates shuffle of {@code 0..count-1} with the seed, made one step at a time, so that a
   * reader who needs few of many items does few steps. Its generator mixes the seed first: {@code
   * java.util.Random} seeded with 0, 1, 2, ... draws nearly the same first numbers, so neighbouring
   * seeds would pick nearly the same items.
   */
  static final class Permutation {
    private final int[] items;
    private final SplittableRandom random;
    private int next;

    Permutation(int count, long seed) {
      items = new int[count];
      for (int i = 0; i < count; i++) {
        items[i] = i;
      }
      random = new SplittableRandom(seed);
    }

    boolean hasNext() {
      return next < items.length;
    }

    /** The next index of the shuffle. */
    int next() {
      int swap = next + random.nextInt(items.length - next);
      int item = items[swap];
      items[swap] = items[next];
      items[next] = item;
      next++;
      return item;
    }
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
