package dev.servebench.engine;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.RequestHeaders;
import dev.servebench.config.TlsOptions;
import dev.servebench.dataset.Prompt;
import dev.servebench.dataset.Session;
import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.record.FailureReason;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.record.TokenSource;
import dev.servebench.schedule.Shard;
import dev.servebench.tokenizer.Tokenizer;
import io.netty.handler.ssl.SslContext;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * Runs a plan against an endpoint. Open loop by default: a pacer thread sends each request at its
 * planned time whatever earlier responses do; with a closed loop, a fixed number of requests is
 * kept in flight. I/O threads stamp and parse responses; a recorder thread turns each finished
 * request into a {@link RequestRecord} (tokenizing output when the server reported no count, never
 * on an I/O thread) and hands it to the sink.
 */
public final class BenchmarkRunner {

  /** How often waiting threads look at the stop flag. */
  private static final long STOP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * How long before its intended time an open-loop request without a concurrency limit is handed to
   * an I/O thread, which sends it on time from its own timer: woken at the intended time itself,
   * the pacer thread would wait for the core behind the busy I/O thread, most of the schedule lag
   * on one core (bench/README.md, Why the code is the way it is).
   */
  private static final long HAND_OVER_LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /**
   * Requests whose hand-over falls within this of the one the pacer woke for go with it, so the
   * pacer wakes at most once a millisecond rather than once a request: each wake-up is a timer, a
   * futex call and two thread switches on the I/O thread's core. A request is then handed over 5 to
   * 6 ms before its time.
   */
  private static final long HAND_OVER_BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private static final long MAX_RETRY_AFTER_NANOS = TimeUnit.SECONDS.toNanos(30);

  /**
   * How long the drain waits, after cancelling what was in flight, for records that cancelling
   * should have made at once, before it gives up on them.
   */
  private static final long CANCELLED_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** The longest silence before it is reported: a tenth of {@code --timeout}, at most this. */
  private static final long MAX_SILENCE_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * Requests planned within this of the plan's start get a connection opened before it: the ones
   * sent at once or close together, which would otherwise all open theirs in the first moments, on
   * the same I/O threads that are sending. Later requests open connections as the run needs them,
   * and those requests' set-up counts in their TTFT, as a user's would.
   */
  private static final long OPEN_AHEAD_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Most connections opened ahead of the plan. */
  private static final int MAX_OPENED_AHEAD = 256;

  /** Longest wait for the connections opened ahead: after it, the plan starts regardless. */
  /**
   * How long before a later start ({@code --start-at}) the connections are opened: enough for their
   * handshakes, well within the few seconds a server keeps an idle keep-alive connection.
   */
  private static final long OPEN_AHEAD_LEAD_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final long OPEN_AHEAD_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * How often the recorder takes what has finished. Polled rather than signalled: a signal per
   * finished request cost the I/O thread a futex call and the core a thread switch each, thousands
   * a second with short requests; records wait at most this long, which no figure depends on.
   */
  private static final long RECORDER_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /**
   * Work the recorder does before it offers its core to a waiting thread. The scheduler lets a
   * running thread finish its slice (milliseconds) before one it has just woken, so an I/O thread
   * woken by a read on the recorder's core would wait behind a whole batch and its read be stamped
   * that late. Yielding this often costs one system call per 0.2 ms of records and bounds that
   * wait.
   */
  private static final long RECORDER_SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  /**
   * How a run talks to its endpoint.
   *
   * @param maxConcurrency most requests in flight at once, 0 for no cap; waiting for a slot delays
   *     the send, which shows as schedule lag
   * @param closedLoop keep exactly {@code maxConcurrency} requests in flight, each sent as soon as
   *     a slot frees (its intended time is that moment), instead of following a plan
   * @param authorizationHeader {@code Bearer <key>}, or {@code null}
   * @param headers the user's header fields, sent with every request ({@code --header})
   * @param requestIdPrefix each request also goes out with {@code x-request-id: <prefix><index>},
   *     or {@code null} for none
   * @param firstTokenTimeout limit from send to the first token, or {@code null}
   * @param idleTimeout limit between reads once the headers arrived, or {@code null}
   * @param retries how often a failed request is sent again (a reused connection that closed before
   *     answering is retried once more, transparently)
   * @param shard the part of the plan this process sends ({@code --shard}): its {@code k}-th
   *     request is the plan's request {@code shard.planIndex(k)}, with that request's prompt, and
   *     its record and request id carry that index; {@link Shard#WHOLE} for the whole plan
   */
  public record Settings(
      HttpTarget target,
      EndpointAdapter adapter,
      RequestOptions options,
      String authorizationHeader,
      RequestHeaders headers,
      String requestIdPrefix,
      int maxConcurrency,
      boolean closedLoop,
      Duration timeout,
      Duration firstTokenTimeout,
      Duration idleTimeout,
      long maxResponseBytes,
      int retries,
      TlsOptions tls,
      int ioThreads,
      boolean trackInputOutput,
      String userAgent,
      Shard shard) {

    /**
     * Settings for {@code target}, {@code adapter} and {@code options}, every other value named as
     * it is set: several are adjacent values of one type (three timeouts, two counts). Starts as an
     * open loop without a cap, a 60 s timeout, no other limit but 64 MiB per response, no retries,
     * verified TLS and one I/O thread.
     */
    public static Builder builder(
        HttpTarget target, EndpointAdapter adapter, RequestOptions options) {
      return new Builder(target, adapter, options);
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
      return new Builder(target, adapter, options)
          .authorizationHeader(authorizationHeader)
          .headers(headers)
          .requestIdPrefix(requestIdPrefix)
          .maxConcurrency(maxConcurrency)
          .closedLoop(closedLoop)
          .timeout(timeout)
          .firstTokenTimeout(firstTokenTimeout)
          .idleTimeout(idleTimeout)
          .maxResponseBytes(maxResponseBytes)
          .retries(retries)
          .tls(tls)
          .ioThreads(ioThreads)
          .trackInputOutput(trackInputOutput)
          .userAgent(userAgent)
          .shard(shard);
    }

    /** Builds {@link Settings}; see {@link Settings#builder} for where it starts. */
    public static final class Builder {
      private HttpTarget target;
      private final EndpointAdapter adapter;
      private final RequestOptions options;
      private String authorizationHeader;
      private RequestHeaders headers = RequestHeaders.NONE;
      private String requestIdPrefix;
      private int maxConcurrency;
      private boolean closedLoop;
      private Duration timeout = Duration.ofSeconds(60);
      private Duration firstTokenTimeout;
      private Duration idleTimeout;
      private long maxResponseBytes = 64L << 20;
      private int retries;
      private TlsOptions tls = TlsOptions.VERIFY;
      private int ioThreads = 1;
      private boolean trackInputOutput;
      private String userAgent = "servebench";
      private Shard shard = Shard.WHOLE;

      private Builder(HttpTarget target, EndpointAdapter adapter, RequestOptions options) {
        this.target = target;
        this.adapter = adapter;
        this.options = options;
      }

      public Builder target(HttpTarget target) {
        this.target = target;
        return this;
      }

      /** {@code Bearer <key>}, or {@code null}. */
      public Builder authorizationHeader(String header) {
        this.authorizationHeader = header;
        return this;
      }

      /** The user's header fields ({@code --header}). */
      public Builder headers(RequestHeaders headers) {
        this.headers = headers;
        return this;
      }

      /** {@code --request-id-prefix}, or {@code null} to send no {@code x-request-id}. */
      public Builder requestIdPrefix(String prefix) {
        this.requestIdPrefix = prefix;
        return this;
      }

      public Builder maxConcurrency(int maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
        return this;
      }

      public Builder closedLoop(boolean closedLoop) {
        this.closedLoop = closedLoop;
        return this;
      }

      public Builder timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
      }

      public Builder firstTokenTimeout(Duration timeout) {
        this.firstTokenTimeout = timeout;
        return this;
      }

      public Builder idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
        return this;
      }

      public Builder maxResponseBytes(long bytes) {
        this.maxResponseBytes = bytes;
        return this;
      }

      public Builder retries(int retries) {
        this.retries = retries;
        return this;
      }

      public Builder tls(TlsOptions tls) {
        this.tls = tls;
        return this;
      }

      public Builder ioThreads(int ioThreads) {
        this.ioThreads = ioThreads;
        return this;
      }

      public Builder trackInputOutput(boolean track) {
        this.trackInputOutput = track;
        return this;
      }

      public Builder userAgent(String userAgent) {
        this.userAgent = userAgent;
        return this;
      }

      public Builder shard(Shard shard) {
        this.shard = shard;
        return this;
      }

      public Settings build() {
        return new Settings(
            target,
            adapter,
            options,
            authorizationHeader,
            headers,
            requestIdPrefix,
            maxConcurrency,
            closedLoop,
            timeout,
            firstTokenTimeout,
            idleTimeout,
            maxResponseBytes,
            retries,
            tls,
            ioThreads,
            trackInputOutput,
            userAgent,
            shard);
      }
    }
  }

  /**
   * When the run stops sending and what counts as warm-up. A request is warm-up if it is among the
   * first {@code warmupRequests} or intended within the first {@code warmupNanos}.
   *
   * @param measuredRequests requests to send after warm-up, or -1 for no count bound
   * @param durationNanos how long to send after warm-up, or -1 for no time bound
   * @param drain how long requests in flight may finish after a stop request
   * @param planStartNanos the {@link System#nanoTime()} reading at which the plan starts (its
   *     offset 0), or {@link #WHEN_READY}: as soon as the runner is ready to send. Shards of one
   *     plan start at a common instant; one that is ready late sends what is already due at once,
   *     late
   */
  public record Bounds(
      long measuredRequests,
      long durationNanos,
      int warmupRequests,
      long warmupNanos,
      Duration drain,
      long planStartNanos) {

    /** {@link #planStartNanos} of a plan that starts as soon as the runner is ready. */
    public static final long WHEN_READY = Long.MIN_VALUE;

    /** Bounds of a plan that starts as soon as the runner is ready. */
    public Bounds(
        long measuredRequests,
        long durationNanos,
        int warmupRequests,
        long warmupNanos,
        Duration drain) {
      this(measuredRequests, durationNanos, warmupRequests, warmupNanos, drain, WHEN_READY);
    }
  }

  /** Receives finished requests on the recorder thread, one at a time. */
  public interface RecordSink {
    void accept(RequestRecord record);

    /**
     * A batch of records has been handed over, or none came for a while: a good moment to flush
     * files.
     */
    default void flush() {}
  }

  private final Settings settings;
  private final Tokenizer tokenizer;

  public BenchmarkRunner(Settings settings, Tokenizer tokenizer) {
    this.settings = settings;
    this.tokenizer = tokenizer;
  }

  /**
   * Sends request {@code i} with {@code prompts[i % size]} at the plan's {@code i}-th offset after
   * the pacer starts, until the bounds or the plan end or a stop is requested, and returns once
   * every sent request has been recorded.
   *
   * @param progress told, before the first send, where the run's progress can be read (the live
   *     view reads it from its own thread), or {@code null}
   * @param notices where to say that requests have heard nothing for long (the run would look hung
   *     otherwise), or {@code null}
   */
  public RunEnd run(
      RunClock clock,
      List<Prompt> prompts,
      SendPlan plan,
      Bounds bounds,
      RecordSink sink,
      RunControl control,
      Consumer<RunProgress> progress,
      PrintWriter notices)
      throws InterruptedException, SSLException {
    return run(clock, prompts, null, 0, plan, bounds, sink, control, progress, notices);
  }

  /**
   * Replays multi-turn sessions ({@code --multi-turn}): as {@link #run}, but what the plan starts
   * (at a plan's time, or as a slot frees) is session {@code i}, with {@code sessions[i % size]}.
   * Its first turn is sent then; each later turn {@code thinkTime} after the response to the one
   * before it ended, with the conversation so far (the server's answers) before it. The bounds
   * count sessions, and so does the concurrency: a session holds its slot from its first turn's
   * send to its last turn's end.
   */
  public RunEnd runSessions(
      RunClock clock,
      List<Session> sessions,
      Duration thinkTime,
      SendPlan plan,
      Bounds bounds,
      RecordSink sink,
      RunControl control,
      Consumer<RunProgress> progress,
      PrintWriter notices)
      throws InterruptedException, SSLException {
    List<Prompt> firstTurns = sessions.stream().map(session -> session.turns().get(0)).toList();
    return run(
        clock,
        firstTurns,
        sessions,
        thinkTime.toNanos(),
        plan,
        bounds,
        sink,
        control,
        progress,
        notices);
  }

  private RunEnd run(
      RunClock clock,
      List<Prompt> prompts,
      List<Session> sessions,
      long thinkNanos,
      SendPlan plan,
      Bounds bounds,
      RecordSink sink,
      RunControl control,
      Consumer<RunProgress> progress,
      PrintWriter notices)
      throws InterruptedException, SSLException {
    Run run = new Run(clock, sink, notices, sessions, thinkNanos);
    HttpTransport.RequestSpec spec =
        new HttpTransport.RequestSpec(
            settings
                .adapter()
                .requestPath(
                    settings.target().basePath(),
                    settings.options().modelName(),
                    settings.options().stream()),
            settings.authorizationHeader(),
            settings.headers(),
            settings.requestIdPrefix(),
            settings.userAgent(),
            settings.options().stream(),
            settings.timeout().toNanos(),
            settings.firstTokenTimeout() == null ? 0 : settings.firstTokenTimeout().toNanos(),
            settings.idleTimeout() == null ? 0 : settings.idleTimeout().toNanos(),
            settings.maxResponseBytes());
    SslContext ssl = HttpTransport.sslContext(settings.target(), settings.tls());
    if (progress != null) {
      progress.accept(run);
    }
    long ioWaitNanos;
    int openedAhead;
    long cpuStartNanos;
    long wallStartNanos;
    try (HttpTransport transport =
        new HttpTransport(
            settings.target(), settings.adapter(), spec, settings.ioThreads(), ssl, run)) {
      run.transport = transport;
      // A start ahead (--start-at): wait until shortly before it, so that connections opened
      // ahead are fresh at the start (servers close idle keep-alive ones after a few seconds) and
      // the wait counts in neither the run's wall time nor its CPU time.
      if (bounds.planStartNanos() != Bounds.WHEN_READY) {
        run.planStartNanos = bounds.planStartNanos(); // the live view shows the wait for it
        long waitNanos;
        while ((waitNanos = bounds.planStartNanos() - OPEN_AHEAD_LEAD_NANOS - System.nanoTime()) > 0
            && !control.stopRequested()) {
          LockSupport.parkNanos(Math.min(waitNanos, STOP_CHECK_NANOS));
        }
      }
      cpuStartNanos = processCpuNanos();
      // The run's wall clock starts at the plan's start, or now when that has passed.
      wallStartNanos =
          bounds.planStartNanos() == Bounds.WHEN_READY
              ? System.nanoTime()
              : Math.max(System.nanoTime(), bounds.planStartNanos());
      PeekedPlan peeked = PeekedPlan.of(plan, OPEN_AHEAD_WINDOW_NANOS, MAX_OPENED_AHEAD);
      openedAhead =
          transport.preconnect(
              connectionsAhead(peeked, bounds), OPEN_AHEAD_TIMEOUT_NANOS, control::stopRequested);
      run.recorder.start();
      long waitStartNanos = transport.ioThreadsCpuWaitNanos();
      run.pace(prompts, peeked, bounds, control);
      run.pacingDone = true;
      run.drain(bounds.drain(), control);
      long waitEndNanos = transport.ioThreadsCpuWaitNanos();
      ioWaitNanos =
          waitStartNanos < 0 || waitEndNanos < 0
              ? ThreadCpuWait.UNKNOWN
              : waitEndNanos - waitStartNanos;
      run.recorder.join();
    }
    if (run.recorderFailure instanceof RuntimeException failure) {
      throw failure;
    }
    if (run.recorderFailure instanceof Error failure) {
      throw failure; // out of memory, say: the command's handler says so
    }
    return new RunEnd(
        control.stopRequested(),
        bounds.durationNanos() < 0 && bounds.warmupNanos() == 0
            ? plannedRequests(
                bounds.measuredRequests() + bounds.warmupRequests(), sessions, settings.shard())
            : -1,
        run.sent.get(),
        run.peakInFlight.get(),
        processCpuNanos() - cpuStartNanos,
        Math.max(0, System.nanoTime() - wallStartNanos),
        Runtime.getRuntime().availableProcessors(),
        settings.maxConcurrency(),
        ioWaitNanos,
        openedAhead);
  }

  /**
   * The requests of {@code starts} plan steps of {@code shard}: each a request, or a session of
   * several turns.
   */
  private static long plannedRequests(long starts, List<Session> sessions, Shard shard) {
    if (sessions == null) {
      return starts;
    }
    long requests = 0;
    for (long i = 0; i < starts; i++) {
      requests += sessions.get((int) (shard.planIndex(i) % sessions.size())).turns().size();
    }
    return requests;
  }

  /**
   * How many connections to open before the plan starts: one per request due in its first {@link
   * #OPEN_AHEAD_WINDOW_NANOS} (a closed loop: one per stream), no more than the run sends in all
   * nor than the concurrency cap lets be in flight.
   */
  private int connectionsAhead(PeekedPlan plan, Bounds bounds) {
    long count = settings.closedLoop() ? settings.maxConcurrency() : plan.dueInWindow();
    if (settings.maxConcurrency() > 0) {
      count = Math.min(count, settings.maxConcurrency());
    }
    if (bounds.measuredRequests() >= 0) {
      count = Math.min(count, bounds.measuredRequests() + bounds.warmupRequests());
    }
    return (int) Math.min(count, MAX_OPENED_AHEAD);
  }

  /**
   * Per-chunk counts scaled to add up to {@code total} (the server's own count of the output, which
   * may include tokens the text does not show, or come from another tokenizer): each chunk's
   * running count is scaled and rounded, so every chunk keeps its share and none goes negative.
   * With no local tokens at all, the total goes to the last chunk.
   */
  static int[] reconciled(int[] counts, int total) {
    long localTotal = 0;
    for (int count : counts) {
      localTotal += count;
    }
    if (localTotal == total || counts.length == 0) {
      return counts;
    }
    int[] scaled = new int[counts.length];
    if (localTotal == 0) {
      scaled[counts.length - 1] = total;
      return scaled;
    }
    long running = 0;
    long before = 0;
    for (int i = 0; i < counts.length; i++) {
      running += counts[i];
      long upTo = Math.round((double) running * total / localTotal);
      scaled[i] = (int) (upTo - before);
      before = upTo;
    }
    return scaled;
  }

  /** A plan whose first offsets were read ahead (to size the connections opened before it). */
  private static final class PeekedPlan implements SendPlan {
    private final SendPlan plan;
    private final long[] head;
    private final int headLength;
    private final int dueInWindow;
    private int next;

    private PeekedPlan(SendPlan plan, long[] head, int headLength, int dueInWindow) {
      this.plan = plan;
      this.head = head;
      this.headLength = headLength;
      this.dueInWindow = dueInWindow;
    }

    /** Reads offsets until one falls past {@code windowNanos}, the plan ends, or {@code max}. */
    static PeekedPlan of(SendPlan plan, long windowNanos, int max) {
      long[] head = new long[max + 1];
      int length = 0;
      int due = 0;
      while (length < head.length) {
        long offsetNanos = plan.nextOffsetNanos();
        head[length++] = offsetNanos;
        if (offsetNanos == END || offsetNanos >= windowNanos) {
          break;
        }
        due++;
      }
      return new PeekedPlan(plan, head, length, due);
    }

    int dueInWindow() {
      return dueInWindow;
    }

    @Override
    public long nextOffsetNanos() {
      if (next < headLength) {
        long offsetNanos = head[next++];
        if (offsetNanos == END) {
          next = headLength; // stays ended: the plan behind it is not asked again
          return END;
        }
        return offsetNanos;
      }
      return head[headLength - 1] == END ? END : plan.nextOffsetNanos();
    }
  }

  /** CPU time of the whole process: every thread, the JIT and the garbage collector included. */
  static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  /** The state of one run, shared by the pacer, the I/O threads and the recorder. */
  private final class Run implements HttpTransport.Listener, RunProgress {
    final RunClock clock;
    final RecordSink sink;
    final Recorder recorder;

    /** Finished requests for the recorder, which looks every {@link #RECORDER_PERIOD_NANOS}. */
    final Queue<InFlightRequest> finished = new ConcurrentLinkedQueue<>();

    final Set<InFlightRequest> inFlight = ConcurrentHashMap.newKeySet();
    final Semaphore slots;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong recorded = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicInteger inFlightCount = new AtomicInteger();
    final AtomicInteger peakInFlight = new AtomicInteger();
    volatile boolean pacingDone;
    volatile boolean stopping;

    /** Whether the last request handed over was warm-up; written by the pacer when it changes. */
    volatile boolean warmingUp;

    /** The pacer's last prompt and its request body, reused while the prompt repeats. */
    private Prompt lastPrompt;

    private byte[] lastBody;

    /** What stopped the recorder thread (a bug, or an Error such as running out of heap). */
    volatile Throwable recorderFailure;

    HttpTransport transport;
    final PrintWriter notices;

    /** Each request's index: the pacer and, for sessions' later turns, the I/O threads take one. */
    final AtomicInteger nextIndex = new AtomicInteger();

    /**
     * The next request's index: the plan's index of it, so that a shard's records carry the indices
     * a one-process run gives the same requests (a session's later turns: numbers no other shard
     * takes).
     */
    int nextRequestIndex() {
      return (int) settings.shard().planIndex(nextIndex.getAndIncrement());
    }

    /** The sessions to replay, or {@code null} when each request stands alone. */
    final List<Session> sessions;

    final long thinkNanos;

    /** Set by {@link #pace} before its first send; later turns' times are relative to it. */
    volatile long planStartNanos;

    volatile Pacing pacing;
    volatile RunControl control;

    /** How long a request may hear nothing at all before {@link #watchSilence} says so. */
    final long silenceNanos;

    private long lastSilenceCheckNanos = System.nanoTime();
    private boolean silenceNoticed;

    /**
     * Says, once, when requests have heard nothing at all (no header, no byte) for {@link
     * #silenceNanos}: a server that reads requests and never answers otherwise keeps a run silent
     * until {@code --timeout}, which looks like a hang. {@code --idle-timeout} starts with the
     * headers; {@code --ttft-timeout} bounds this wait, and then nothing is said. Called by the
     * recorder while idle; it reads the I/O threads' fields without a lock, which a notice can
     * afford.
     */
    void watchSilence() {
      long nowNanos = System.nanoTime();
      if (notices == null
          || silenceNoticed
          || settings.firstTokenTimeout() != null
          || nowNanos - lastSilenceCheckNanos < silenceNanos / 4) {
        return;
      }
      lastSilenceCheckNanos = nowNanos;
      int silent = 0;
      for (InFlightRequest request : inFlight) {
        if (request.headersNanos == RequestRecord.ABSENT
            && request.responseBytes == 0
            && nowNanos - request.sentNanos > silenceNanos) {
          silent++;
        }
      }
      if (silent > 0) {
        silenceNoticed = true;
        notices.printf(
            Locale.ROOT,
            "servebench: %d request%s sent over %s s ago %s heard nothing from the server (not"
                + " even headers); each waits up to --timeout (%.0f s), --ttft-timeout SECONDS ends"
                + " such waits sooner%n",
            silent,
            silent == 1 ? "" : "s",
            new java.math.BigDecimal(silenceNanos / 1e9)
                .round(new java.math.MathContext(2))
                .stripTrailingZeros()
                .toPlainString(),
            silent == 1 ? "has" : "have",
            settings.timeout().toNanos() / 1e9);
        notices.flush();
      }
    }

    Run(
        RunClock clock,
        RecordSink sink,
        PrintWriter notices,
        List<Session> sessions,
        long thinkNanos) {
      this.sessions = sessions;
      this.thinkNanos = thinkNanos;
      this.clock = clock;
      this.sink = sink;
      this.notices = notices;
      this.silenceNanos = Math.min(MAX_SILENCE_NANOS, settings.timeout().toNanos() / 10);
      this.recorder = new Recorder(this);
      this.slots = settings.maxConcurrency() > 0 ? new Semaphore(settings.maxConcurrency()) : null;
    }

    @Override
    public long sentRequests() {
      return sent.get();
    }

    @Override
    public long finishedRequests() {
      return recorded.get();
    }

    @Override
    public long failedRequests() {
      return failed.get();
    }

    @Override
    public int inFlightRequests() {
      return inFlightCount.get();
    }

    @Override
    public boolean warmingUp() {
      return warmingUp;
    }

    @Override
    public boolean sendingDone() {
      return pacingDone;
    }

    @Override
    public long planStartNanos() {
      return planStartNanos;
    }

    /** Carries out {@link Pacing}'s steps until it says stop. */
    void pace(List<Prompt> prompts, SendPlan plan, Bounds bounds, RunControl control) {
      Pacing pacing =
          new Pacing(
              settings.closedLoop()
                  ? Pacing.Mode.CLOSED_LOOP
                  : slots != null ? Pacing.Mode.CAPPED : Pacing.Mode.OPEN_LOOP,
              bounds,
              HAND_OVER_LEAD_NANOS,
              HAND_OVER_BATCH_NANOS);
      boolean usesPlan = pacing.mode() != Pacing.Mode.CLOSED_LOOP;
      this.pacing = pacing;
      this.control = control;
      warmingUp = bounds.warmupRequests() > 0 || bounds.warmupNanos() > 0;
      long planStartNanos =
          bounds.planStartNanos() == Bounds.WHEN_READY
              ? System.nanoTime()
              : bounds.planStartNanos();
      this.planStartNanos = planStartNanos;
      if (!usesPlan) {
        // An open plan's steps wait for their times themselves (a negative time since the start
        // only means longer waits); a closed loop's first requests are due at the start itself.
        long waitNanos;
        while ((waitNanos = planStartNanos - System.nanoTime()) > 0 && !control.stopRequested()) {
          LockSupport.parkNanos(Math.min(waitNanos, STOP_CHECK_NANOS));
        }
      }
      long nextOffsetNanos = usesPlan ? plan.nextOffsetNanos() : 0;
      long index = 0;
      long warmupSent = 0;
      // Only this thread takes slots (I/O threads give them back), so one taken here is the next
      // request's until it is sent.
      boolean slotHeld = false;
      while (true) {
        if (slots != null && !slotHeld) {
          slotHeld = slots.tryAcquire();
        }
        long nowNanos = System.nanoTime();
        // A recorder that can no longer write (disk full) stops the run: nothing sent after it
        // could be recorded.
        Pacing.Step step =
            pacing.next(
                index,
                warmupSent,
                nextOffsetNanos,
                nowNanos - planStartNanos,
                slots == null || slotHeld,
                control.stopRequested() || recorderFailure != null);
        switch (step.action()) {
          case STOP -> {
            if (slotHeld) {
              slots.release();
            }
            return;
          }
          case WAIT_UNTIL ->
              LockSupport.parkNanos(
                  Math.min(planStartNanos + step.atNanos() - nowNanos, STOP_CHECK_NANOS));
          case WAIT_FOR_SLOT -> {
            try {
              slotHeld = slots.tryAcquire(STOP_CHECK_NANOS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException interrupted) {
              Thread.currentThread().interrupt();
              return;
            }
          }
          case SEND_NOW, HAND_OVER -> {
            slotHeld = false;
            if (step.warmup()) {
              warmupSent++;
            }
            if (step.warmup() != warmingUp) {
              warmingUp = step.warmup();
            }
            // Sessions: the plan starts each one with its first turn, which is prompts[index]. A
            // shard's request is the plan's request planIndex, with that one's prompt.
            long planIndex = settings.shard().planIndex(index);
            handOver(
                planIndex,
                prompts.get((int) (planIndex % prompts.size())),
                planStartNanos + step.atNanos(),
                step.warmup(),
                step.action() == Pacing.Action.HAND_OVER,
                control);
            index++;
            if (usesPlan) {
              nextOffsetNanos = plan.nextOffsetNanos();
            }
          }
        }
      }
    }

    /**
     * Builds request {@code index} and sends it, or has an I/O thread send it at {@code dueNanos}
     * ({@code fromTimer}). Its own method, called once a request, so the JIT compiles it after a
     * few hundred calls: the loop that calls it runs once a run, and the interpreter would run it
     * for the whole of a short one.
     */
    private void handOver(
        long index,
        Prompt prompt,
        long dueNanos,
        boolean warmup,
        boolean fromTimer,
        RunControl control) {
      if (prompt != lastPrompt) {
        // An IPEX dataset sends one prompt throughout, and a single-prompt dataset cycles: the
        // body is built once for them, not per request, which with short requests would be a
        // large share of the client's allocation.
        lastBody = settings.adapter().requestBody(prompt, settings.options());
        lastPrompt = prompt;
      }
      InFlightRequest request =
          new InFlightRequest(nextRequestIndex(), prompt, lastBody, dueNanos, warmup);
      if (sessions != null) {
        request.session =
            new SessionState((int) index, sessions.get((int) (index % sessions.size())), warmup);
      }
      if (fromTimer) {
        sent.incrementAndGet();
        dispatchAt(request, dueNanos, control);
      } else {
        dispatch(request, false);
        sent.incrementAndGet();
      }
    }

    /**
     * Sends {@code request} at {@code dueNanos} from an I/O thread's timer. A stop that comes
     * before then takes it back: it is no longer counted as sent, as if the pacer had never reached
     * it.
     */
    private void dispatchAt(InFlightRequest request, long dueNanos, RunControl control) {
      transport.later(
          () -> {
            if (control.stopRequested() || recorderFailure != null) {
              sent.decrementAndGet();
              if (request.session != null && slots != null) {
                slots.release(); // a session's slot: it ends here
              }
              return;
            }
            dispatch(request, false);
          },
          dueNanos - System.nanoTime());
    }

    private void dispatch(InFlightRequest request, boolean freshConnection) {
      if (request.attempt == 1) {
        int now = inFlightCount.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
      }
      // Stamped again by the transport when a kept-alive connection's I/O thread takes it.
      request.sentNanos = System.nanoTime();
      if (request.firstSentNanos == RequestRecord.ABSENT) {
        request.firstSentNanos = request.sentNanos;
      }
      inFlight.add(request);
      transport.send(request, freshConnection);
    }

    @Override
    public void onFinished(InFlightRequest request) {
      inFlight.remove(request);
      if (request.failureReason != null
          && request.failureReason != FailureReason.CANCELLED
          && !stopping) {
        if (isTransparentRetry(request)) {
          dispatch(request.nextAttempt(true), true);
          return;
        }
        if (request.retriesUsed < settings.retries()) {
          InFlightRequest next = request.nextAttempt(false);
          long delayNanos = retryDelayNanos(request);
          // A back-off that ends after the drain cancelled what was in flight sends nothing: the
          // failed attempt is recorded as it ended, as when no retry is left.
          transport.later(
              () -> {
                if (stopping) {
                  onFinished(request);
                } else {
                  dispatch(next, false);
                }
              },
              delayNanos);
          return;
        }
      }
      inFlightCount.decrementAndGet();
      InFlightRequest nextTurn = null;
      if (request.session != null) {
        nextTurn = nextTurn(request);
      } else if (slots != null) {
        slots.release();
      }
      finished.add(request);
      if (nextTurn != null) {
        // Sent after this turn is queued for the recorder, which thus records a session's turns
        // in order (its prompt token count adds them up).
        dispatchAt(nextTurn, nextTurn.intendedNanos, control);
      }
    }

    /**
     * A session's next turn, due when {@link Pacing#nextTurn} says, with the conversation so far in
     * its body, counted as sent; or {@code null} when the session ends, its slot given back. Called
     * before the turn that ended goes to the recorder, so that the run counts the next one as sent
     * before it can count this one as recorded, and never stops with a turn still to come. The body
     * is built here, on the I/O thread: copying the conversation, without waiting on anything.
     */
    private InFlightRequest nextTurn(InFlightRequest request) {
      SessionState session = request.session;
      long endNanos =
          request.endNanos == RequestRecord.ABSENT ? System.nanoTime() : request.endNanos;
      Pacing.Step step =
          pacing.nextTurn(
              request.turn + 1,
              session.turns(),
              request.failureReason == null,
              endNanos - planStartNanos,
              thinkNanos,
              session.warmup,
              stopping || control.stopRequested() || recorderFailure != null);
      if (step.action() == Pacing.Action.STOP) {
        if (slots != null) {
          slots.release();
        }
        return null;
      }
      session.history.add(request.prompt.text());
      session.history.add(request.output.toString());
      int turn = request.turn + 1;
      Prompt prompt = session.turn(turn);
      byte[] body = settings.adapter().requestBody(prompt, session.history, settings.options());
      long dueNanos = planStartNanos + step.atNanos();
      InFlightRequest next =
          new InFlightRequest(nextRequestIndex(), prompt, body, dueNanos, step.warmup());
      next.session = session;
      next.turn = turn;
      sent.incrementAndGet();
      return next;
    }

    /**
     * A kept-alive connection the server closed before answering anything: the server most likely
     * closed it as idle just as the request went out, so it never saw the request. One retry on a
     * fresh connection, as HTTP clients do, and not counted against {@code --retries}.
     */
    private boolean isTransparentRetry(InFlightRequest request) {
      return request.reusedConnection
          && !request.transparentRetryUsed
          && request.failureReason == FailureReason.STREAM_CUT
          && request.responseBytes == 0
          && request.headersNanos == RequestRecord.ABSENT;
    }

    /** Retry-After when the server gave one (capped), else 100 ms doubling per attempt, to 5 s. */
    private long retryDelayNanos(InFlightRequest request) {
      if (request.retryAfterHeader != null) {
        try {
          long seconds = Long.parseLong(request.retryAfterHeader.trim());
          return Math.min(MAX_RETRY_AFTER_NANOS, TimeUnit.SECONDS.toNanos(Math.max(0, seconds)));
        } catch (NumberFormatException httpDate) {
          // An HTTP-date Retry-After: fall through to the backoff.
        }
      }
      return TimeUnit.MILLISECONDS.toNanos(
          Math.min(5000, 100L << Math.min(6, request.retriesUsed)));
    }

    /**
     * After pacing: wait for the requests in flight; after a stop, cancel what outlives the drain.
     */
    void drain(Duration drainTime, RunControl control) throws InterruptedException {
      long drainDeadlineNanos = Long.MAX_VALUE;
      long cancelledAtNanos = Long.MAX_VALUE;
      while (recorded.get() < sent.get()) {
        if (recorderFailure == null && recorder != null && !recorder.isAlive()) {
          recorderFailure = new IllegalStateException("the recorder thread ended early");
        }
        if (recorderFailure != null) {
          stopping = true;
          transport.cancelAll(List.copyOf(inFlight));
          return;
        }
        if (control.stopRequested() && drainDeadlineNanos == Long.MAX_VALUE) {
          drainDeadlineNanos = System.nanoTime() + drainTime.toNanos();
        }
        if (System.nanoTime() >= drainDeadlineNanos && !stopping) {
          stopping = true;
          transport.cancelAll(List.copyOf(inFlight));
          cancelledAtNanos = System.nanoTime();
        }
        if (System.nanoTime() - cancelledAtNanos > CANCELLED_GRACE_NANOS) {
          // A cancelled request is recorded at once; one that is still missing was lost (a task
          // that failed on an I/O thread): say so rather than wait for it forever.
          notices.println(
              "servebench: warning: "
                  + (sent.get() - recorded.get())
                  + " request(s) sent were never recorded, even after being cancelled; the"
                  + " report leaves them out");
          notices.flush();
          return;
        }
        Thread.sleep(10);
      }
    }
  }

  /** The recorder thread: builds records off the I/O threads and feeds the sink in batches. */
  private final class Recorder extends Thread {
    private static final int MAX_BATCH = 4096;

    private final Run run;

    Recorder(Run run) {
      super("servebench-recorder");
      setDaemon(true);
      this.run = run;
    }

    @Override
    public void run() {
      try {
        while (!(run.pacingDone && run.recorded.get() == run.sent.get())) {
          InFlightRequest request = run.finished.poll();
          if (request == null) {
            run.sink.flush(); // the sink's own interval decides: records wait at most that long
            run.watchSilence();
            LockSupport.parkNanos(RECORDER_PERIOD_NANOS);
            if (Thread.interrupted()) {
              return;
            }
            continue;
          }
          // A bounded batch, so that files are flushed even while requests keep finishing.
          long sliceStartNanos = System.nanoTime();
          for (int inBatch = 0; request != null; request = run.finished.poll()) {
            RequestRecord record = toRecord(request);
            if (!record.succeeded()) {
              run.failed.incrementAndGet();
            }
            run.sink.accept(record);
            run.recorded.incrementAndGet();
            if (++inBatch == MAX_BATCH) {
              break;
            }
            long nowNanos = System.nanoTime();
            if (nowNanos - sliceStartNanos > RECORDER_SLICE_NANOS) {
              Thread.yield();
              sliceStartNanos = System.nanoTime();
            }
          }
          run.sink.flush();
        }
      } catch (RuntimeException | Error broken) {
        // The pacer stops and the drain cancels what is in flight: a recorder that died silently
        // would leave the drain waiting for records that never come.
        run.recorderFailure = broken;
      }
    }

    private RequestRecord toRecord(InFlightRequest request) {
      RunClock clock = run.clock;
      long[] chunks = request.chunkNanos();
      for (int i = 0; i < chunks.length; i++) {
        chunks[i] = clock.since(chunks[i]);
      }
      int[] chunkTokens = request.chunkTokensFromServer();
      TokenSource chunkSource = chunks.length == 0 ? null : TokenSource.SERVER;
      boolean serverPrompt = request.serverPromptTokens >= 0;
      boolean serverOutput = request.serverCompletionTokens >= 0;
      // A response cut off for passing --max-response-bytes is not counted: its text can be tens
      // of megabytes, and unbroken text (no space in it) takes a BPE tokenizer time and memory
      // that grow with the square of its length.
      boolean uncounted = request.failureReason == FailureReason.RESPONSE_TOO_LARGE;
      if (chunkTokens == null && uncounted) {
        chunkTokens = new int[chunks.length];
        chunkSource = chunks.length == 0 ? null : TokenSource.LOCAL;
      } else if (chunkTokens == null) {
        // The whole text tokenized once, each token counted in the chunk it ends in, so the
        // chunks add up to the output (a server may cut its events inside a word or character).
        chunkTokens = tokenizer.tokensEndingIn(request.chunkTexts());
        if (serverOutput) {
          chunkTokens = reconciled(chunkTokens, request.serverCompletionTokens);
        }
        chunkSource = chunks.length == 0 ? null : TokenSource.LOCAL;
      }
      // The output text is copied only when the tokenizer or the record needs it.
      String output =
          (serverOutput || uncounted) && !settings.trackInputOutput()
              ? null
              : request.output.toString();
      int outputTokens =
          serverOutput
              ? request.serverCompletionTokens
              : uncounted ? 0 : tokenizer.countTokens(output);
      // A session's turn is sent with the conversation before it: the local count is the turns
      // and answers recorded so far (the recorder sees a session's turns in order) and its own.
      SessionState session = request.session;
      int localPromptTokens = request.prompt.promptTokens();
      if (session != null) {
        localPromptTokens =
            (int) Math.min(Integer.MAX_VALUE, session.recordedTokens + localPromptTokens);
        session.recordedTokens += request.prompt.promptTokens() + outputTokens;
      }
      RequestRecord.Builder record = RequestRecord.builder();
      if (session != null) {
        record.turn(session.id, request.turn + 1, session.turns());
      }
      return record
          .index(request.index)
          .warmup(request.warmup)
          .attempts(request.attempt, request.earlierErrors)
          .streamed(request.streamed)
          .intendedNanos(clock.since(request.intendedNanos))
          .sentNanos(clock.since(request.sentNanos))
          .firstSentNanos(clock.since(request.firstSentNanos))
          .headersNanos(clock.since(request.headersNanos))
          .firstTokenNanos(chunks.length == 0 ? RequestRecord.ABSENT : chunks[0])
          .lastTokenNanos(chunks.length == 0 ? RequestRecord.ABSENT : chunks[chunks.length - 1])
          .endNanos(clock.since(request.endNanos))
          .firstContentNanos(clock.since(request.firstContentNanos))
          .chunks(chunks, chunkTokens, chunkSource)
          .promptTokens(
              serverPrompt ? request.serverPromptTokens : localPromptTokens,
              serverPrompt ? TokenSource.SERVER : TokenSource.LOCAL)
          .localPromptTokens(localPromptTokens)
          .serverPromptTokens(request.serverPromptTokens)
          .requestedOutputTokens(request.prompt.outputTokens())
          .outputTokens(outputTokens, serverOutput ? TokenSource.SERVER : TokenSource.LOCAL)
          .httpStatus(request.httpStatus)
          .failure(request.failureReason, request.error)
          .texts(
              settings.trackInputOutput() ? request.prompt.text() : null,
              settings.trackInputOutput() ? output : null)
          .build();
    }
  }
}
