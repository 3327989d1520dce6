package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.RequestHeaders;
import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.endpoint.EndpointType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadCpuWaitTest {

  @Test
  void theWaitIsTheSchedstatLinesSecondField() {
    assertThat(ThreadCpuWait.parseWaitNanos("252802147 458473 71\n")).isEqualTo(458_473);
    assertThat(ThreadCpuWait.parseWaitNanos("0 0 1")).isZero();
  }

  @Test
  void aLineThatIsNotASchedstatLineIsUnknown() {
    assertThat(ThreadCpuWait.parseWaitNanos("")).isEqualTo(ThreadCpuWait.UNKNOWN);
    assertThat(ThreadCpuWait.parseWaitNanos("252802147 458473")).isEqualTo(ThreadCpuWait.UNKNOWN);
    assertThat(ThreadCpuWait.parseWaitNanos("252802147 x 71")).isEqualTo(ThreadCpuWait.UNKNOWN);
    assertThat(ThreadCpuWait.parseWaitNanos("1 -5 2")).isEqualTo(ThreadCpuWait.UNKNOWN);
  }

  /**
   * An I/O thread kept runnable while more threads than cores spin beside it must wait for a CPU
   * part of the time; the transport's figure counts it. Linux only (elsewhere the figure is
   * unknown).
   */
  @Test
  void anIoThreadCompetingForTheCoresIsSeenWaiting() throws Exception {
    assumeThat(Files.isReadable(Path.of("/proc/thread-self/schedstat"))).isTrue();
    try (HttpTransport transport = oneIoThread()) {
      long beforeNanos = transport.ioThreadsCpuWaitNanos();
      assertThat(beforeNanos).isNotNegative();

      long spinNanos = TimeUnit.MILLISECONDS.toNanos(300);
      List<Thread> spinners = new ArrayList<>();
      for (int i = 0; i < allowedCpus() + 1; i++) {
        spinners.add(Thread.ofPlatform().start(() -> spin(spinNanos)));
      }
      transport.later(() -> spin(spinNanos), 0);
      for (Thread spinner : spinners) {
        spinner.join();
      }
      long afterNanos = transport.ioThreadsCpuWaitNanos(); // runs after the I/O thread's spin

      assertThat(afterNanos).isGreaterThan(beforeNanos);
    }
  }

  @Test
  void anInterruptedCallerGetsUnknownAndKeepsItsInterrupt() {
    try (HttpTransport transport = oneIoThread()) {
      // The I/O thread is held, so the answer is still to come when the caller is interrupted.
      CountDownLatch held = new CountDownLatch(1);
      transport.later(
          () -> {
            try {
              held.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          },
          0);
      Thread.currentThread().interrupt();
      try {
        assertThat(transport.ioThreadsCpuWaitNanos()).isEqualTo(ThreadCpuWait.UNKNOWN);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted(); // cleared for the close and the next test
        held.countDown();
      }
    }
  }

  /**
   * The CPUs this process may run on (its affinity list), which can be more than the JVM's
   * available processors where a container's CPU quota counts fewer: one more spinning thread than
   * that keeps every one of them busy.
   */
  private static int allowedCpus() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Cpus_allowed_list:")) {
        int count = 0;
        for (String range : line.substring(line.indexOf(':') + 1).strip().split(",")) {
          String[] ends = range.split("-");
          count += ends.length == 2 ? Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1 : 1;
        }
        return Math.max(count, Runtime.getRuntime().availableProcessors());
      }
    }
    return Runtime.getRuntime().availableProcessors();
  }

  /** A transport with one I/O thread and no connection: only its threads are used here. */
  private static HttpTransport oneIoThread() {
    EndpointAdapter adapter = EndpointType.OPENAI_CHAT.adapter(null);
    return new HttpTransport(
        HttpTarget.parse("http://127.0.0.1:9"),
        adapter,
        new HttpTransport.RequestSpec(
            adapter.requestPath("", "m", true),
            null,
            RequestHeaders.NONE,
            null,
            "test",
            true,
            0,
            0,
            0,
            1 << 20),
        1,
        null,
        request -> {});
  }

  private static void spin(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() - end < 0) {
      Thread.onSpinWait();
    }
  }
}
