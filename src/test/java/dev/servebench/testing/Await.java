package dev.servebench.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Waits for a condition instead of sleeping a fixed time and hoping it then holds: a loaded host
 * (every core busy beside the build) makes every step slower, never the condition false. The
 * deadline is only there to end a test that would otherwise hang; it says nothing about speed.
 */
public final class Await {

  /** The usual deadline: far beyond what a busy machine needs, short of a hung build. */
  public static final Duration GENEROUS = Duration.ofSeconds(60);

  private static final long POLL_MILLIS = 10;

  /** A condition that may fail to be checked yet (a file still being written, say). */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; fails after {@code timeout} naming {@code what}. A
   * check that throws counts as "not yet"; the last exception is the failure's cause.
   */
  public static void awaitUntil(String what, Condition condition, Duration timeout)
      throws InterruptedException {
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    while (true) {
      Exception lastFailure = null;
      try {
        if (condition.holds()) {
          return;
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        lastFailure = e;
      }
      if (System.nanoTime() - deadlineNanos >= 0) {
        throw new AssertionError("waited " + timeout + " in vain for " + what, lastFailure);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** {@link #awaitUntil(String, Condition, Duration)} with the {@link #GENEROUS} deadline. */
  public static void awaitUntil(String what, Condition condition) throws InterruptedException {
    awaitUntil(what, condition, GENEROUS);
  }

  /** Whether {@code directory} holds a file whose name ends with {@code suffix}. */
  public static boolean hasFile(Path directory, String suffix) {
    try (Stream<Path> files = Files.list(directory)) {
      return files.anyMatch(file -> file.getFileName().toString().endsWith(suffix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
