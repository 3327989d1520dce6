package dev.servebench.engine;

import dev.servebench.config.HttpTarget;
import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.TokenSource;
import dev.servebench.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLException;

/**
 * Runs a plan against an endpoint, open loop: a pacer thread sends request {@code i} at its planned
 * time whatever earlier responses do, the I/O threads stamp and parse responses, and a recorder
 * thread turns each finished request into a {@link RequestRecord} (tokenizing output when the
 * server reported no count, never on an I/O thread) and hands it to the sink.
 */
public final class BenchmarkRunner {

  /**
   * How a run talks to its endpoint.
   *
   * @param maxConcurrency most requests in flight at once, 0 for no cap; waiting for a slot delays
   *     the send, which shows as schedule lag
   * @param authorizationHeader {@code Bearer <key>}, or {@code null}
   */
  public record Settings(
      HttpTarget target,
      EndpointAdapter adapter,
      RequestOptions options,
      String authorizationHeader,
      int maxConcurrency,
      Duration timeout,
      int ioThreads,
      boolean trackInputOutput,
      String userAgent) {}

  /** Receives finished requests on the recorder thread, one at a time. */
  public interface RecordSink {
    void accept(RequestRecord record);

    /** A batch of records has been handed over; a good moment to flush files. */
    default void flush() {}
  }

  private final Settings settings;
  private final Tokenizer tokenizer;

  public BenchmarkRunner(Settings settings, Tokenizer tokenizer) {
    this.settings = settings;
    this.tokenizer = tokenizer;
  }

  /**
   * Sends {@code prompts[i]} at {@code plan[i]} nanoseconds after the pacer starts and returns when
   * every request has been recorded.
   *
   * @param progress where to print a progress line each second, or {@code null}
   */
  public void run(
      RunClock clock, List<Prompt> prompts, long[] planNanos, RecordSink sink, PrintWriter progress)
      throws InterruptedException, SSLException {
    int count = prompts.size();
    BlockingQueue<InFlightRequest> finished = new LinkedBlockingQueue<>();
    Semaphore slots = settings.maxConcurrency() > 0 ? new Semaphore(settings.maxConcurrency()) : null;
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    String path =
        settings.adapter().requestPath(settings.target().basePath(), settings.options().modelName());
    HttpTransport.RequestSpec spec =
        new HttpTransport.RequestSpec(
            path,
            settings.authorizationHeader(),
            settings.userAgent(),
            settings.options().stream(),
            settings.timeout().toNanos());
    Recorder recorder = new Recorder(clock, count, finished, sink, done, failed);
    ScheduledExecutorService ticker = progress == null ? null : startProgress(progress, count, sent, done, failed);
    try (HttpTransport transport =
        new HttpTransport(
            settings.target(),
            settings.adapter(),
            spec,
            settings.ioThreads(),
            (request, endNanos) -> {
              if (slots != null) {
                slots.release();
              }
              finished.add(request);
            })) {
      recorder.start();
      long planStartNanos = System.nanoTime();
      for (int i = 0; i < count; i++) {
        long dueNanos = planStartNanos + planNanos[i];
        long waitNanos;
        while ((waitNanos = dueNanos - System.nanoTime()) > 0) {
          LockSupport.parkNanos(waitNanos);
        }
        if (slots != null) {
          slots.acquire();
        }
        Prompt prompt = prompts.get(i);
        byte[] body = settings.adapter().requestBody(prompt, settings.options());
        InFlightRequest request = new InFlightRequest(i, prompt, body, dueNanos);
        request.sentNanos = System.nanoTime();
        transport.send(request);
        sent.incrementAndGet();
      }
      recorder.join();
    } finally {
      if (ticker != null) {
        ticker.shutdownNow();
      }
    }
    if (recorder.failure != null) {
      throw recorder.failure;
    }
  }

  private static ScheduledExecutorService startProgress(
      PrintWriter out, int count, AtomicInteger sent, AtomicInteger done, AtomicInteger failed) {
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "servebench-progress");
              thread.setDaemon(true);
              return thread;
            });
    long startNanos = System.nanoTime();
    ticker.scheduleAtFixedRate(
        () -> {
          out.printf(
              Locale.ROOT,
              "[%6.1f s] sent %d/%d, finished %d (failed %d), in flight %d%n",
              (System.nanoTime() - startNanos) / 1e9,
              sent.get(),
              count,
              done.get(),
              failed.get(),
              sent.get() - done.get());
          out.flush();
        },
        1,
        1,
        TimeUnit.SECONDS);
    return ticker;
  }

  /** The recorder thread: builds records off the I/O threads and feeds the sink in batches. */
  private final class Recorder extends Thread {
    private final RunClock clock;
    private final int count;
    private final BlockingQueue<InFlightRequest> finished;
    private final RecordSink sink;
    private final AtomicInteger done;
    private final AtomicInteger failedCount;
    volatile RuntimeException failure;

    Recorder(
        RunClock clock,
        int count,
        BlockingQueue<InFlightRequest> finished,
        RecordSink sink,
        AtomicInteger done,
        AtomicInteger failedCount) {
      super("servebench-recorder");
      setDaemon(true);
      this.clock = clock;
      this.count = count;
      this.finished = finished;
      this.sink = sink;
      this.done = done;
      this.failedCount = failedCount;
    }

    @Override
    public void run() {
      List<InFlightRequest> batch = new ArrayList<>();
      int recorded = 0;
      try {
        while (recorded < count) {
          batch.add(finished.take());
          finished.drainTo(batch);
          for (InFlightRequest request : batch) {
            RequestRecord record = toRecord(request);
            if (!record.succeeded()) {
              failedCount.incrementAndGet();
            }
            sink.accept(record);
            done.incrementAndGet();
          }
          recorded += batch.size();
          batch.clear();
          sink.flush();
        }
      } catch (InterruptedException stopped) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException broken) {
        failure = broken;
      }
    }

    private RequestRecord toRecord(InFlightRequest request) {
      long[] chunks = request.chunkNanos();
      for (int i = 0; i < chunks.length; i++) {
        chunks[i] = clock.since(chunks[i]);
      }
      boolean serverPrompt = request.serverPromptTokens >= 0;
      boolean serverOutput = request.serverCompletionTokens >= 0;
      String output = request.output.toString();
      return new RequestRecord(
          request.index,
          request.streamed,
          clock.since(request.intendedNanos),
          clock.since(request.sentNanos),
          clock.since(request.headersNanos),
          chunks.length == 0 ? RequestRecord.ABSENT : chunks[0],
          chunks.length == 0 ? RequestRecord.ABSENT : chunks[chunks.length - 1],
          clock.since(request.endNanos),
          chunks,
          serverPrompt ? request.serverPromptTokens : request.prompt.promptTokens(),
          serverPrompt ? TokenSource.SERVER : TokenSource.LOCAL,
          request.prompt.promptTokens(),
          request.serverPromptTokens,
          request.prompt.outputTokens(),
          serverOutput ? request.serverCompletionTokens : tokenizer.countTokens(output),
          serverOutput ? TokenSource.SERVER : TokenSource.LOCAL,
          request.httpStatus,
          request.failureReason,
          request.error,
          settings.trackInputOutput() ? request.prompt.text() : null,
          settings.trackInputOutput() ? output : null);
    }
  }
}
