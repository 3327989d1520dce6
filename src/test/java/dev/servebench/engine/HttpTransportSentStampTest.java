package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.RequestHeaders;
import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Where `sent` is stamped (docs/metrics.md): on a kept-alive connection, when its I/O thread hands
 * the bytes over, so a busy client thread shows as schedule lag rather than as the server's TTFT.
 */
class HttpTransportSentStampTest {

  private static final long BLOCKED_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

  @Test
  void aKeptAliveConnectionsBusyThreadCountsBeforeSentNotInTtft() throws Exception {
    MockServerConfig config =
        MockServerConfig.builder().ttftMillis(0).itlMillis(1).modelName("m").build();
    BlockingQueue<InFlightRequest> finished = new LinkedBlockingQueue<>();
    EndpointAdapter adapter = EndpointType.OPENAI_CHAT.adapter(null);
    RequestOptions options = new RequestOptions("m", true, null, null, null, null, false, false);
    try (MockServer server = MockServer.start(config);
        HttpTransport transport =
            new HttpTransport(
                HttpTarget.parse(server.baseUrl()),
                adapter,
                new HttpTransport.RequestSpec(
                    adapter.requestPath("", "m", true),
                    null,
                    RequestHeaders.NONE,
                    null,
                    "test",
                    true,
                    TimeUnit.SECONDS.toNanos(10),
                    0,
                    0,
                    1 << 20),
                1,
                null,
                finished::add)) {
      Prompt prompt = new Prompt("Hello there.", 3, 4);
      byte[] body = adapter.requestBody(prompt, options);

      InFlightRequest first = new InFlightRequest(0, prompt, body, 0, false);
      stampAndSend(transport, first);
      assertThat(finished.poll(10, TimeUnit.SECONDS)).isSameAs(first);
      assertThat(first.failureReason).isNull();

      // The connection is idle now; its I/O thread is kept busy while the next request is sent.
      CountDownLatch blocking = new CountDownLatch(1);
      AtomicLong blockEndNanos = new AtomicLong();
      first
          .channel
          .eventLoop()
          .execute(
              () -> {
                blocking.countDown();
                sleep(BLOCKED_NANOS);
                blockEndNanos.set(System.nanoTime());
              });
      assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
      InFlightRequest second = new InFlightRequest(1, prompt, body, 0, false);
      long dispatchedNanos = stampAndSend(transport, second);
      assertThat(finished.poll(10, TimeUnit.SECONDS)).isSameAs(second);

      assertThat(second.failureReason).isNull();
      assertThat(second.channel).isSameAs(first.channel);
      assertThat(second.firstSentNanos).isEqualTo(second.sentNanos);
      // The wait for the thread is before `sent` (schedule lag): dispatched while the thread was
      // busy, sent once it was free ...
      assertThat(dispatchedNanos).isLessThan(blockEndNanos.get());
      assertThat(second.sentNanos).isGreaterThanOrEqualTo(blockEndNanos.get());
      // ... and not in TTFT: the first token came after it, and sooner than the wait lasted.
      long ttftNanos = second.chunkNanos()[0] - second.sentNanos;
      assertThat(ttftNanos).isPositive().isLessThan(BLOCKED_NANOS);
    }
  }

  /** What the runner does when it dispatches: stamps, then hands the request to the transport. */
  private static long stampAndSend(HttpTransport transport, InFlightRequest request) {
    long nowNanos = System.nanoTime();
    request.sentNanos = nowNanos;
    request.firstSentNanos = nowNanos;
    transport.send(request, false);
    return nowNanos;
  }

  private static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
