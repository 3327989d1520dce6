package dev.servebench.schedule;

import dev.servebench.error.InvalidInputException;

/**
 * One of {@code count} shards of one plan ({@code --shard I/N}): the requests whose one-process
 * index {@code i} has {@code i mod count == index}, each at the intended time the one-process plan
 * gives it. The shards together send exactly the one-process plan, none drawn again; the whole run
 * is {@link #WHOLE}, shard 0 of 1.
 *
 * <p>Worked example: 10 requests in 3 shards give shard 0 the requests 0, 3, 6, 9, shard 1 the
 * requests 1, 4, 7 and shard 2 the requests 2, 5, 8; a closed loop of 8 streams gives them 3, 3 and
 * 2.
 *
 * @param index the shard's place, from 0 (the command line counts from 1: {@code --shard 1/3} is
 *     index 0)
 * @param count how many shards share the plan
 */
public record Shard(int index, int count) {

  /** The whole plan in one process. */
  public static final Shard WHOLE = new Shard(0, 1);

  public Shard {
    if (count < 1 || index < 0 || index >= count) {
      throw new InvalidInputException(
          "--shard must be I/N with 1 <= I <= N (shard I of N), got " + (index + 1) + "/" + count);
    }
  }

  /** {@code I/N} as the command line gives it, I counted from 1. */
  public static Shard parse(String text) {
    String[] parts = text.strip().split("/", -1);
    if (parts.length == 2) {
      try {
        int shard = Integer.parseInt(parts[0].strip());
        int count = Integer.parseInt(parts[1].strip());
        if (count >= 1 && shard >= 1 && shard <= count) {
          return new Shard(shard - 1, count);
        }
      } catch (NumberFormatException notNumbers) {
        // said below
      }
    }
    throw new InvalidInputException(
        "--shard must be I/N, shard I of N counted from 1 (--shard 1/2 and --shard 2/2 split a"
            + " plan in two), got '"
            + text
            + "'");
  }

  /** {@code I/N}, I counted from 1: the label of the command line and of the records. */
  public String label() {
    return (index + 1) + "/" + count;
  }

  public boolean whole() {
    return count == 1;
  }

  /** The one-process index of this shard's {@code local}-th request (from 0). */
  public long planIndex(long local) {
    return index + local * count;
  }

  /** Whether the one-process request {@code planIndex} is this shard's. */
  public boolean owns(long planIndex) {
    return planIndex % count == index;
  }

  /**
   * How many of the one-process requests {@code 0 .. total - 1} are this shard's: a count bound or
   * a number of warm-up requests, divided.
   */
  public long requestsOf(long total) {
    return total <= index ? 0 : (total - index - 1) / count + 1;
  }

  /**
   * This shard's part of a concurrency ({@code --concurrency}, {@code --max-concurrency}), split as
   * evenly as possible: {@code total / count}, one more for the first {@code total mod count}
   * shards. The parts add up to {@code total}.
   */
  public int concurrencyOf(int total) {
    return total / count + (index < total % count ? 1 : 0);
  }
}
