package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.servebench.config.HttpTarget;
import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.endpoint.EndpointType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    EndpointAdapter adapter = EndpointType.OPENAI_CHAT.adapter(null);
    try (HttpTransport transport =
        new HttpTransport(
            HttpTarget.parse("http://127.0.0.1:9"),
            adapter,
            new HttpTransport.RequestSpec(
                adapter.requestPath("", "m"), null, "test", true, 0, 0, 0, 1 << 20),
            1,
            null,
            request -> {})) {
      long beforeNanos = transport.ioThreadsCpuWaitNanos();
      assertThat(beforeNanos).isNotNegative();

      long spinNanos = TimeUnit.MILLISECONDS.toNanos(300);
      List<Thread> spinners = new ArrayList<>();
      for (int i = 0; i < Runtime.getRuntime().availableProcessors() + 1; i++) {
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
    EndpointAdapter adapter = EndpointType.OPENAI_CHAT.adapter(null);
    try (HttpTransport transport =
        new HttpTransport(
            HttpTarget.parse("http://127.0.0.1:9"),
            adapter,
            new HttpTransport.RequestSpec(
                adapter.requestPath("", "m"), null, "test", true, 0, 0, 0, 1 << 20),
            1,
            null,
            request -> {})) {
      Thread.currentThread().interrupt();
      try {
        assertThat(transport.ioThreadsCpuWaitNanos()).isEqualTo(ThreadCpuWait.UNKNOWN);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted(); // cleared for the close and the next test
      }
    }
  }

  private static void spin(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() - end < 0) {
      Thread.onSpinWait();
    }
  }
}
