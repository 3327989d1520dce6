package dev.servebench.run;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.Version;
import dev.servebench.dataset.Datasets;
import dev.servebench.dataset.Prompt;
import dev.servebench.dataset.PromptCache;
import dev.servebench.dataset.Session;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.engine.BenchmarkRunner;
import dev.servebench.engine.RunClock;
import dev.servebench.engine.RunControl;
import dev.servebench.engine.RunProgress;
import dev.servebench.engine.SendPlan;
import dev.servebench.engine.ServerMetricsScraper;
import dev.servebench.error.ExitCode;
import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.Aggregator;
import dev.servebench.metrics.LiveMetrics;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import dev.servebench.record.ServerScrape;
import dev.servebench.report.ConsoleReport;
import dev.servebench.report.HtmlReport;
import dev.servebench.report.LiveLog;
import dev.servebench.report.LiveView;
import dev.servebench.report.RecordsCsv;
import dev.servebench.report.SeedLatencyTracking;
import dev.servebench.report.SummaryCsv;
import dev.servebench.report.SummaryJson;
import dev.servebench.report.VllmResultJson;
import dev.servebench.schedule.ArrivalSchedule;
import dev.servebench.schedule.GapDistribution;
import dev.servebench.schedule.Pacer;
import dev.servebench.schedule.Shard;
import dev.servebench.schedule.TraceSchedule;
import dev.servebench.tokenizer.ChatTemplate;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PrimitiveIterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One benchmark run from settings to report: the composition of every stage (prompts, plan, runner,
 * endpoint adapter, records, aggregation, reports). Informational lines go to {@code log} (stderr),
 * the report to {@code out} (stdout).
 */
public final class Benchmark {

  /** The seed script named its files by local time ({@code time.strftime("%Y%m%d-%H%M%S")}). */
  private static final DateTimeFormatter SEED_FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneId.systemDefault());

  /** What a finished run produced. */
  public record Outcome(Summary summary, Path recordsFile, Path summaryFile, int exitCode) {}

  private Benchmark() {}

  /**
   * Runs {@code config}. While it runs, the live view (its {@code output().live()}) owns standard
   * error: {@code log}'s lines go above its block; it is gone before the report is printed.
   */
  public static Outcome execute(
      RunConfig config, RunControl control, PrintWriter out, PrintWriter stderr)
      throws InterruptedException, IOException {
    LiveLog log = LiveLog.over(stderr);
    RunConfig.Live live = config.output().live();
    LiveView view =
        live.mode() == LiveView.Mode.OFF
            ? null
            : LiveView.start(
                new LiveView.Settings(live.mode(), live.lineInterval().toNanos()), control, log);
    try {
      return execute(config, control, out, log, view);
    } finally {
      if (view != null) {
        view.close();
      }
    }
  }

  private static Outcome execute(
      RunConfig config, RunControl control, PrintWriter out, LiveLog log, LiveView view)
      throws InterruptedException, IOException {
    // --quiet: what only informs is not printed; warnings, notices and errors are.
    PrintWriter info = config.output().quiet() ? new PrintWriter(Writer.nullWriter()) : log;
    RunConfig.Endpoint endpoint = config.endpoint();
    String authorization = endpoint.authorizationHeader();
    Path resultsDir = prepareResultsDir(config.output().resultsDir());
    VllmResultJson.Options vllmResult = config.output().vllmResult();
    if (vllmResult != null) {
      prepareVllmResultDir(vllmResult);
    }

    // The whole request path runs on the other core while the prompts load on this one, instead
    // of for the first time after the clock started.
    Thread rehearsal =
        Rehearsal.start(
            runnerSettings(
                endpoint.modelName() == null ? config.withModelName("rehearsal") : config,
                authorization));
    // Local inputs first: a missing dataset is reported as that even when no server runs.
    RunConfig.Prompts source = config.prompts();
    Datasets.checkInputs(source.format(), source.dataset());
    if (endpoint.tls().caBundle() != null) {
      TlsContexts.jdk(endpoint.tls());
    }
    long loadStartNanos = System.nanoTime();
    Tokenizers.Resolved resolved =
        source.tokenizerSpec() != null || endpoint.modelName() != null || source.modelFile() != null
            ? findTokenizer(source, endpoint.modelName())
            : null;

    if (endpoint.waitForServer().isPositive()) {
      if (view != null) {
        view.preparing("waiting for the server");
      }
      Preflight.awaitReady(endpoint, control, log);
    } else {
      Preflight.checkReachable(endpoint.target(), endpoint.tls());
    }
    if (endpoint.modelName() == null && endpoint.type().listsModels()) {
      config =
          config.withModelName(
              Preflight.discoverModel(
                  endpoint.target(), authorization, endpoint.headers(), endpoint.tls()));
      endpoint = config.endpoint();
      info.println("servebench: model not named; the server lists '" + endpoint.modelName() + "'");
    }
    // The probe of /metrics runs beside the prompts' preparation: an HTTP client's first use
    // costs a fresh process a few hundred milliseconds, and a silent server the probe's timeout.
    RunConfig.Endpoint probed = endpoint;
    RunConfig.ServerMetrics serverMetricsSettings = config.serverMetrics();
    PrintWriter probeInfo = info;
    CompletableFuture<ServerMetricsScraper.Target> serverMetricsProbe =
        CompletableFuture.supplyAsync(
            () -> serverMetricsTarget(serverMetricsSettings, probed, authorization, probeInfo),
            task -> Thread.ofPlatform().daemon().name("servebench-metrics-probe").start(task));
    if (resolved == null) {
      loadStartNanos = System.nanoTime();
      resolved = findTokenizer(source, endpoint.modelName());
    }
    Tokenizer tokenizer = resolved.tokenizer();
    if (resolved.foundAt() != null) {
      info.println("servebench: tokenizer " + tokenizer.name() + " from " + resolved.foundAt());
    }
    Tokenizer runTokenizer = tokenizer;
    ChatTemplate chatTemplate = chatTemplate(config, tokenizer, info, log);
    List<Prompt> prompts = null;
    List<Session> sessions = null;
    if (view != null) {
      view.preparing("prompts, rehearsal of the request path");
    }
    if (config.load().sessions()) {
      // Sessions are not kept in the prompt cache, which holds single prompts.
      sessions =
          Datasets.loadSessions(
              source.format(),
              source.dataset(),
              runTokenizer,
              config.load().multiTurn().maxTurns());
      if (chatTemplate != null) {
        sessions = Datasets.sessionsCountedAsChat(sessions, chatTemplate, runTokenizer);
      }
      info.printf(
          Locale.ROOT,
          "servebench: %d sessions of %d turns in all (%s, tokenizer %s) ready in %d ms%n",
          sessions.size(),
          sessions.stream().mapToInt(session -> session.turns().size()).sum(),
          source.format().displayName(),
          tokenizer.name(),
          (System.nanoTime() - loadStartNanos) / 1_000_000);
    } else {
      PromptCache.Loaded loaded =
          new PromptCache(source.cacheDirectory())
              .load(
                  source.format(),
                  source.dataset(),
                  runTokenizer,
                  chatTemplate,
                  () -> {
                    List<Prompt> bare =
                        Datasets.load(source.format(), source.dataset(), runTokenizer);
                    return chatTemplate == null
                        ? bare
                        : Datasets.countedAsChat(bare, chatTemplate, runTokenizer);
                  });
      prompts = loaded.prompts();
      info.printf(
          Locale.ROOT,
          "servebench: %d prompts (%s, tokenizer %s) ready in %d ms%s%n",
          prompts.size(),
          source.format().displayName(),
          tokenizer.name(),
          (System.nanoTime() - loadStartNanos) / 1_000_000,
          loaded.fromCache() ? " (from the prompt cache)" : "");
    }

    RunConfig.Load load = config.load();
    TraceSchedule trace =
        load.followsTrace()
            ? new TraceSchedule(
                Datasets.traceOffsetsNanos(source.format(), source.dataset()),
                load.traceTimeScale())
            : null;
    Shard shard = config.sharding().shard();
    SendPlan plan = SendPlan.shareOf(plan(load, config.prompts().dataset().seed(), trace), shard);
    int numPrompts = config.prompts().dataset().numPrompts();
    // A trace's warm-up requests are its first rows, not extra ones: the plan holds one request
    // per row.
    long measuredRequests =
        load.durationNanos() >= 0
            ? -1
            : trace != null ? numPrompts - load.warmupRequests() : numPrompts;
    // A shard's warm-up requests are its share of the plan's first ones, and so is its count.
    int warmupRequests = (int) shard.requestsOf(load.warmupRequests());
    BenchmarkRunner.Bounds wholeBounds =
        new BenchmarkRunner.Bounds(
            measuredRequests < 0
                ? -1
                : shard.requestsOf(load.warmupRequests() + measuredRequests) - warmupRequests,
            load.durationNanos(),
            warmupRequests,
            load.warmupNanos(),
            load.drain());
    BenchmarkRunner runner = new BenchmarkRunner(runnerSettings(config, authorization), tokenizer);

    if (view != null) {
      view.preparing("rehearsal of the request path");
    }
    rehearsal.join();
    ServerMetricsScraper.Target serverMetrics = joinProbe(serverMetricsProbe, info);
    Startup.settleHeap();
    Instant startAt = config.sharding().startAt();
    RunClock clock = startAt == null ? RunClock.start() : RunClock.anchoredAt(startAt);
    // Negative: ready before the common start, which the plan then waits for.
    long startOffsetNanos = System.nanoTime() - clock.anchorNanos();
    BenchmarkRunner.Bounds bounds =
        startAt == null
            ? wholeBounds
            : new BenchmarkRunner.Bounds(
                wholeBounds.measuredRequests(),
                wholeBounds.durationNanos(),
                wholeBounds.warmupRequests(),
                wholeBounds.warmupNanos(),
                wholeBounds.drain(),
                clock.anchorNanos());
    String runId =
        RunId.of(config, clock.wallAnchor(), shortId())
            + (shard.whole() ? "" : "-shard-" + (shard.index() + 1) + "-of-" + shard.count());
    Map<String, Object> configuration = describe(config, tokenizer, chatTemplate, serverMetrics);
    if (startAt != null) {
      configuration.put("start_offset_ms", startOffsetNanos / 1e6);
    }
    double planRatePerSecond =
        load.closedLoop()
            ? Double.POSITIVE_INFINITY
            : trace != null
                ? trace.meanRatePerSecond()
                : load.rampUp().perRequest() != null
                    ? load.rampUp().perRequest().meanRatePerSecond()
                    : load.ratePerSecond();
    RunInfo run =
        new RunInfo(
            runId,
            Version.current(),
            clock.wallAnchor(),
            // A shard sends its share of the plan's rate.
            planRatePerSecond / shard.count(),
            configuration,
            RunInfo.Client.current());
    if (startAt != null) {
      sayStart(shard, startAt, startOffsetNanos, info, log);
    }
    Path recordsFile = resultsDir == null ? null : resultsDir.resolve(runId + "-records.jsonl");
    Path summaryFile = resultsDir == null ? null : resultsDir.resolve(runId + "-summary.json");
    Aggregator aggregator =
        new Aggregator(
            new Aggregator.Options(config.output().percentiles(), config.output().goodput()));
    info.printf(
        Locale.ROOT,
        "servebench: sending to %s (%s, %s, %s)%n",
        endpoint.target().url(),
        endpoint.type().flagValue(),
        endpoint.stream() ? "streamed" : "not streamed",
        load.closedLoop()
            ? "closed loop of " + load.concurrency() + (load.sessions() ? " sessions" : "")
            : trace != null
                ? String.format(
                    Locale.ROOT,
                    "the trace's times x %s, %d requests over %.3f s",
                    load.traceTimeScale(),
                    trace.size(),
                    trace.offsetNanos(trace.size() - 1) / 1e9)
                : "rate "
                    + (Double.isInfinite(load.ratePerSecond())
                        ? "inf"
                        : load.ratePerSecond() + (load.sessions() ? " sessions/s" : " req/s")));
    info.flush();
    RunEnd end;
    String seedTime = SEED_FILE_TIME.format(clock.wallAnchor());
    Path trackingFile =
        resultsDir == null ? null : unused(resultsDir, "latency_tracking_" + seedTime, ".json");
    RecordWriter writer = recordsFile == null ? null : RecordWriter.create(recordsFile, run);
    SeedLatencyTracking tracking =
        trackingFile == null ? null : SeedLatencyTracking.create(trackingFile);
    VllmResultJson.Details vllmDetails =
        vllmResult != null && vllmResult.detailed() ? new VllmResultJson.Details() : null;
    LiveMetrics liveMetrics = view == null ? null : new LiveMetrics(tokenizer.name());
    RecordFileSink sink =
        new RecordFileSink(
            aggregator,
            liveMetrics,
            writer,
            recordsFile,
            tracking,
            vllmDetails,
            endpoint.secrets(),
            control);
    LiveView.Plan livePlan =
        new LiveView.Plan(
            bounds.durationNanos() >= 0
                ? -1
                : sessions != null
                    ? turns(sessions, bounds.measuredRequests() + bounds.warmupRequests(), shard)
                    : bounds.measuredRequests() + bounds.warmupRequests(),
            bounds.durationNanos() >= 0 ? bounds.warmupNanos() + bounds.durationNanos() : -1,
            !load.closedLoop()
                && !(Double.isInfinite(load.ratePerSecond())
                    && trace == null
                    && load.maxConcurrency() == 0));
    Consumer<RunProgress> progress =
        view == null ? null : started -> view.runStarted(started, liveMetrics, livePlan);
    ServerMetricsScraper scraper =
        serverMetrics == null
            ? null
            : ServerMetricsScraper.start(
                serverMetrics, Preflight.metricsClient(serverMetrics.url(), endpoint.tls()), clock);
    sink.scraper = scraper;
    try {
      end =
          sessions != null
              ? runner.runSessions(
                  clock,
                  sessions,
                  load.multiTurn().thinkTime(),
                  plan,
                  bounds,
                  sink,
                  control,
                  progress,
                  log)
              : runner.run(clock, prompts, plan, bounds, sink, control, progress, log);
      if (scraper != null) {
        scraper.close();
        sink.takeScrapes(); // the recorder has stopped: this thread writes the file now
      }
      if (writer != null && sink.failure == null) {
        try {
          writer.writeEnd(end);
        } catch (IOException full) {
          sink.failed("cannot write " + recordsFile, full);
        }
      }
    } finally {
      if (scraper != null) {
        scraper.close();
      }
      sink.close();
      if (view != null) {
        view.close(); // the block is erased and its last warnings printed: the report stands alone
      }
    }
    Summary summary = aggregator.summarize(run, end);
    out.println();
    ConsoleReport.print(summary, config.output().percentileMetrics(), out);
    if (sink.failure != null) {
      // The report above is whole (it is made in memory); the records file keeps what was written
      // before, ending at its last whole line, and the summary is still tried.
      RecordWriter.truncateToLastLine(recordsFile);
      String summaryNote = writeSummaries(summary, summaryFile, resultsDir, seedTime, info);
      out.flush();
      throw new UncheckedIOException(
          sink.failureMessage
              + ": the run stopped there. The report above counts every request; the records file"
              + " keeps those written before, ending at its last whole line; "
              + summaryNote,
          sink.failure);
    }
    if (summaryFile != null) {
      writeSummaries(summary, summaryFile, resultsDir, seedTime, info);
      writeReports(summary, recordsFile, resultsDir, runId, config.output().csv(), info);
      info.println("servebench: records: " + recordsFile);
      info.println("servebench: the seed script's latency tracking: " + trackingFile);
    }
    if (vllmResult != null) {
      writeVllmResult(summary, config, tokenizer.name(), vllmDetails, info);
    }
    info.flush();
    log.flush();
    int exitCode =
        end.interrupted()
            ? ExitCode.INTERRUPTED
            : summary.counts().failed() > 0 ? ExitCode.REQUESTS_FAILED : ExitCode.OK;
    return new Outcome(summary, recordsFile, summaryFile, exitCode);
  }

  /**
   * The probe's answer, or what it failed with, as it was thrown; {@code null} (no scraping, said
   * on {@code info}) when it has not ended within {@link #SERVER_METRICS_PROBE_LIMIT}: its own
   * timeout bounds the exchange, and this bounds the rest (the client's start, a hung resolver), so
   * that no probe holds the run back.
   */
  private static ServerMetricsScraper.Target joinProbe(
      CompletableFuture<ServerMetricsScraper.Target> probe, PrintWriter info) {
    try {
      return probe.get(SERVER_METRICS_PROBE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException slow) {
      probe.cancel(true);
      info.println(
          "servebench: the server's metrics are not scraped: their probe did not end within "
              + SERVER_METRICS_PROBE_LIMIT.toSeconds()
              + " s (--server-metrics URL scrapes without a probe; --no-server-metrics skips it)");
      return null;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      probe.cancel(true);
      return null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new CompletionException(e.getCause());
    }
  }

  /** How long the probe of {@code /metrics} before a run may wait for its answer, body included. */
  private static final Duration SERVER_METRICS_PROBE_TIMEOUT = Duration.ofSeconds(2);

  /** How long the run waits for the probe in all, its client's start included. */
  private static final Duration SERVER_METRICS_PROBE_LIMIT =
      SERVER_METRICS_PROBE_TIMEOUT.plusSeconds(3);

  /**
   * Where and how to scrape the server's metrics during the run, or {@code null} for not at all:
   * off, or not asked for and {@code /metrics} does not answer with an exposition (said on {@code
   * info}). The run's credentials go only to the endpoint's own scheme, host and port.
   */
  private static ServerMetricsScraper.Target serverMetricsTarget(
      RunConfig.ServerMetrics settings,
      RunConfig.Endpoint endpoint,
      String authorization,
      PrintWriter info) {
    if (settings.mode() == RunConfig.ServerMetrics.Mode.OFF) {
      return null;
    }
    URI url = settings.resolve(endpoint.target());
    HttpTarget server = endpoint.target();
    boolean https = "https".equalsIgnoreCase(url.getScheme());
    int port = url.getPort() != -1 ? url.getPort() : https ? 443 : 80;
    boolean sameOrigin =
        https == server.https()
            && server.host().equalsIgnoreCase(stripBrackets(url.getHost()))
            && port == server.port();
    ServerMetricsScraper.Target target =
        new ServerMetricsScraper.Target(
            url, settings.interval(), sameOrigin ? authorization : null);
    if (settings.mode() == RunConfig.ServerMetrics.Mode.AUTO) {
      String absent;
      HttpClient client = Preflight.metricsClient(url, endpoint.tls());
      try {
        absent =
            ServerMetricsScraper.probe(
                url, SERVER_METRICS_PROBE_TIMEOUT, target.authorization(), client);
      } finally {
        client.shutdownNow(); // not close(), which would wait for an exchange the probe gave up on
      }
      if (absent != null) {
        info.println(
            "servebench: the server's metrics are not scraped: "
                + url
                + " "
                + (absent.startsWith("it ") ? absent : "gave " + absent)
                + " (--server-metrics URL names another; --no-server-metrics skips the probe)");
        return null;
      }
    }
    info.println(
        "servebench: scraping the server's metrics at "
            + url
            + " every "
            + settings.interval().toMillis()
            + " ms");
    return target;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** The run's settings for its header, where the server's metrics were scraped included. */
  private static Map<String, Object> describe(
      RunConfig config,
      Tokenizer tokenizer,
      ChatTemplate chatTemplate,
      ServerMetricsScraper.Target serverMetrics) {
    Map<String, Object> settings =
        config.describe(tokenizer.name(), chatTemplate == null ? null : chatTemplate.file());
    settings.put(
        Aggregator.SERVER_METRICS_URL,
        serverMetrics == null ? null : serverMetrics.url().toString());
    settings.put(
        "server_metrics_interval_s",
        serverMetrics == null ? null : serverMetrics.interval().toMillis() / 1000.0);
    return settings;
  }

  /**
   * Says when the plan starts: on {@code info} how long this process waits for it, on {@code log}
   * (even with {@code --quiet}) that it is late, and its first requests with it.
   */
  private static void sayStart(
      Shard shard, Instant startAt, long startOffsetNanos, PrintWriter info, PrintWriter log) {
    String who = shard.whole() ? "the plan" : "shard " + shard.label();
    if (startOffsetNanos <= 0) {
      info.printf(
          Locale.ROOT,
          "servebench: %s starts at %s, in %.3f s%n",
          who,
          startAt,
          -startOffsetNanos / 1e9);
    } else {
      log.printf(
          Locale.ROOT,
          "servebench: warning: %s was ready %.3f s after --start-at %s: the requests due before"
              + " then go at once, late (their schedule lag shows it); give a later --start-at%n",
          who,
          startOffsetNanos / 1e9,
          startAt);
    }
  }

  /** The requests of {@code shard}'s first {@code starts} sessions: each turn is one. */
  private static long turns(List<Session> sessions, long starts, Shard shard) {
    long requests = 0;
    for (long i = 0; i < starts; i++) {
      requests += sessions.get((int) (shard.planIndex(i) % sessions.size())).turns().size();
    }
    return requests;
  }

  /**
   * The chat template prompts are counted with: on a chat endpoint, the tokenizer's own unless
   * {@code --no-chat-template}. The template found is said on {@code info}; a Hugging Face
   * tokenizer without one on {@code log}, even with {@code --quiet} (its counts will fall short of
   * the server's); a built-in encoding never has one.
   */
  private static ChatTemplate chatTemplate(
      RunConfig config, Tokenizer tokenizer, PrintWriter info, PrintWriter log) {
    if (!config.endpoint().type().appliesChatTemplate() || !config.prompts().chatTemplate()) {
      return null;
    }
    ChatTemplate.Lookup lookup = ChatTemplate.of(tokenizer);
    if (lookup.template() != null) {
      info.println(
          "servebench: prompts counted as the chat template in "
              + lookup.template().file()
              + " renders them");
    } else if (tokenizer.sourceFile().isPresent()) {
      log.println(
          "servebench: no chat template for tokenizer "
              + tokenizer.name()
              + " ("
              + lookup.absence()
              + "): prompts are counted on their bare text, without the tokens a server's"
              + " template adds");
    }
    return lookup.template();
  }

  private static Tokenizers.Resolved findTokenizer(RunConfig.Prompts source, String modelName) {
    return Tokenizers.find(
        source.tokenizerSpec(), modelName, source.modelFile(), source.tokenizerLocations());
  }

  /**
   * Writes the summary and the seed script's summary; returns what became of them, for a message. A
   * failure to write them is said, not thrown: the report has been printed already.
   */
  private static String writeSummaries(
      Summary summary, Path summaryFile, Path resultsDir, String seedTime, PrintWriter log) {
    if (summaryFile == null) {
      return "no summary was asked for";
    }
    try {
      SummaryJson.writeAtomically(summary, summaryFile);
      Path seedSummary = unused(resultsDir, "summary_" + seedTime, ".json");
      SummaryJson.writeSeedSummary(summary, seedSummary);
      log.println(
          "servebench: summary: " + summaryFile + " (the seed script's: " + seedSummary + ")");
      return "the summary was written to " + summaryFile;
    } catch (IOException full) {
      return "the summary could not be written either (" + full.getMessage() + ")";
    }
  }

  /**
   * Writes the HTML report, and with {@code --csv} the records and summary as CSV, named after the
   * run as its records file is. The CSV of the records is made from the records file once the run
   * is over, so it costs nothing while the run measures.
   */
  private static void writeReports(
      Summary summary,
      Path recordsFile,
      Path resultsDir,
      String runId,
      boolean csv,
      PrintWriter log)
      throws IOException {
    Path html = resultsDir.resolve(runId + "-report.html");
    HtmlReport.write(summary, html);
    log.println("servebench: HTML report: " + html);
    if (csv) {
      Path recordsCsv = resultsDir.resolve(runId + "-records.csv");
      Path summaryCsv = resultsDir.resolve(runId + "-summary.csv");
      RecordsCsv.write(recordsFile, recordsCsv);
      SummaryCsv.write(summary, summaryCsv);
      log.println("servebench: CSV: " + recordsCsv + ", " + summaryCsv);
    }
  }

  /**
   * The open-loop plan: the trace's times, a rate ramped over the requests, or a rate's; a closed
   * loop ignores it.
   */
  private static SendPlan plan(RunConfig.Load load, long seed, TraceSchedule trace) {
    if (load.closedLoop()) {
      return () -> 0;
    }
    if (trace != null) {
      PrimitiveIterator.OfLong offsets = trace.offsets();
      return () -> offsets.hasNext() ? offsets.nextLong() : SendPlan.END;
    }
    GapDistribution gaps =
        load.arrival() == RunConfig.Arrival.CONSTANT
            ? GapDistribution.constant()
            : GapDistribution.gamma(load.burstiness());
    if (load.rampUp().perRequest() != null) {
      return load.rampUp().perRequest().offsets(gaps, seed)::nextLong;
    }
    ArrivalSchedule schedule =
        new ArrivalSchedule(load.ratePerSecond(), gaps, load.rampUpNanos(), seed);
    Pacer pacer =
        load.durationNanos() >= 0
            ? schedule.pacerUntil(load.warmupNanos() + load.durationNanos())
            : schedule.pacer();
    return () -> pacer.hasNext() ? pacer.nextLong() : SendPlan.END;
  }

  private static BenchmarkRunner.Settings runnerSettings(RunConfig config, String authorization) {
    RunConfig.Endpoint endpoint = config.endpoint();
    RunConfig.Sampling sampling = config.sampling();
    RunConfig.Limits limits = config.limits();
    RunConfig.Load load = config.load();
    RequestOptions options =
        new RequestOptions(
            endpoint.modelName(),
            endpoint.stream(),
            sampling.temperature(),
            sampling.topP(),
            sampling.topK(),
            sampling.doSample(),
            sampling.vllmEngine(),
            sampling.continuousUsage(),
            endpoint.extraBody());
    return BenchmarkRunner.Settings.builder(
            endpoint.target(), endpoint.type().adapter(endpoint.route()), options)
        .authorizationHeader(authorization)
        .headers(endpoint.headers())
        .requestIdPrefix(endpoint.requestIdPrefix())
        // A shard keeps its share of the streams, or of the cap on them.
        .maxConcurrency(
            config
                .sharding()
                .shard()
                .concurrencyOf(load.closedLoop() ? load.concurrency() : load.maxConcurrency()))
        .shard(config.sharding().shard())
        .closedLoop(load.closedLoop())
        .timeout(limits.timeout())
        .firstTokenTimeout(limits.firstTokenTimeout())
        .idleTimeout(limits.idleTimeout())
        .maxResponseBytes(limits.maxResponseBytes())
        .retries(limits.retries())
        .tls(endpoint.tls())
        .ioThreads(limits.ioThreads())
        .trackInputOutput(config.output().keepsTexts())
        .userAgent("servebench/" + Version.current())
        .build();
  }

  /**
   * Feeds each record to the aggregator and the records file. Error messages are scrubbed of the
   * API key and secret header values first: a server may echo the request's headers in an error
   * body.
   *
   * <p>The file is flushed every {@link #FLUSH_INTERVAL_NANOS} while it has unflushed records (the
   * recorder asks after each batch and every few milliseconds while idle; its 64 KiB buffer also
   * goes out when full, and the rest at the end): flushing every batch the recorder hands over (one
   * every 5 ms) would be a write call for every few kilobytes, each partly filling a fresh page the
   * file system first zeroes. A crash loses at most that interval's records.
   */
  private static final class RecordFileSink implements BenchmarkRunner.RecordSink {

    private static final long FLUSH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Aggregator aggregator;
    private final LiveMetrics live;
    private final RecordWriter writer;
    private final Path file;
    private final SeedLatencyTracking tracking;
    private final VllmResultJson.Details vllmDetails;
    private final List<String> secrets;
    private final RunControl control;
    private long lastFlushNanos = System.nanoTime();
    private boolean unflushed;

    /** The scraper of the server's metrics, or {@code null} when the run scrapes none. */
    volatile ServerMetricsScraper scraper;

    /** The first write that failed (disk full, say), or {@code null}; nothing is written after. */
    IOException failure;

    String failureMessage;

    RecordFileSink(
        Aggregator aggregator,
        LiveMetrics live,
        RecordWriter writer,
        Path file,
        SeedLatencyTracking tracking,
        VllmResultJson.Details vllmDetails,
        List<String> secrets,
        RunControl control) {
      this.aggregator = aggregator;
      this.live = live;
      this.writer = writer;
      this.file = file;
      this.tracking = tracking;
      this.vllmDetails = vllmDetails;
      this.secrets = secrets;
      this.control = control;
    }

    @Override
    public void accept(RequestRecord record) {
      RequestRecord clean = Secrets.redact(record, secrets);
      aggregator.add(clean);
      if (clean.warmup()) {
        aggregator.rehearse(clean);
      }
      if (vllmDetails != null) {
        vllmDetails.add(clean);
      }
      if (live != null) {
        live.add(clean);
      }
      if (failure != null) {
        return; // the report still counts it; no file can take it
      }
      if (writer != null) {
        unflushed = true;
        try {
          writer.write(clean);
        } catch (IOException full) {
          failed("cannot write " + file, full);
          return;
        }
      }
      if (tracking != null) {
        try {
          tracking.add(clean);
        } catch (IOException full) {
          failed("cannot write the latency tracking file", full);
        }
      }
    }

    /**
     * Feeds the scrapes of the server's metrics taken so far to the aggregator and the records
     * file, on the thread that writes the file (the recorder while the run goes, then the caller).
     */
    void takeScrapes() {
      if (scraper == null) {
        return;
      }
      for (ServerScrape scrape = scraper.poll(); scrape != null; scrape = scraper.poll()) {
        ServerScrape clean =
            scrape.succeeded()
                ? scrape
                : ServerScrape.failed(
                    scrape.atNanos(), scrape.tookNanos(), Secrets.redact(scrape.error(), secrets));
        aggregator.add(clean);
        if (failure != null || writer == null) {
          continue;
        }
        unflushed = true;
        try {
          writer.write(clean);
        } catch (IOException full) {
          failed("cannot write " + file, full);
        }
      }
    }

    @Override
    public void flush() {
      takeScrapes();
      long nowNanos = System.nanoTime();
      if (failure != null || !unflushed || nowNanos - lastFlushNanos < FLUSH_INTERVAL_NANOS) {
        return;
      }
      lastFlushNanos = nowNanos;
      unflushed = false;
      try {
        writer.flush();
      } catch (IOException full) {
        failed("cannot write " + file, full);
      }
    }

    /**
     * A file can no longer be written: the run stops sending (what is in flight drains, as after
     * Ctrl-C) and every record from here on goes to the report only.
     */
    void failed(String message, IOException cause) {
      if (failure == null) {
        failure = cause;
        failureMessage = message;
        control.requestStop();
      }
    }

    /** Closes the files; a failure to close is the first failure if none came before. */
    void close() {
      if (writer != null) {
        try {
          writer.close();
        } catch (IOException full) {
          failed("cannot write " + file, full);
        }
      }
      if (tracking != null) {
        try {
          tracking.close();
        } catch (IOException full) {
          failed("cannot write the latency tracking file", full);
        }
      }
    }
  }

  /**
   * Writes vLLM's result file once the report is printed; a failure to write it is said and ends
   * the run with an error, as a records file that cannot be written does.
   */
  static void writeVllmResult(
      Summary summary,
      RunConfig config,
      String tokenizerName,
      VllmResultJson.Details details,
      PrintWriter log) {
    RunConfig.Load load = config.load();
    VllmResultJson.Options options = config.output().vllmResult();
    VllmResultJson.Setup setup =
        new VllmResultJson.Setup(
            config.output().backend() != null
                ? config.output().backend()
                : config.endpoint().type().flagValue(),
            config.endpoint().modelName() == null ? "" : config.endpoint().modelName(),
            tokenizerName,
            load.closedLoop() ? Double.POSITIVE_INFINITY : load.ratePerSecond(),
            load.burstiness(),
            load.closedLoop() ? load.concurrency() : load.maxConcurrency(),
            load.rampUp().perRequest(),
            config.output().percentileMetrics());
    LocalDateTime date = LocalDateTime.now(ZoneId.systemDefault());
    Path file = VllmResultJson.path(options, setup, date);
    try {
      VllmResultJson.write(summary, setup, options, details, date, file);
    } catch (IOException full) {
      log.flush();
      throw new UncheckedIOException(
          "cannot write vLLM's result file " + file + ": " + full.getMessage(), full);
    }
    log.println(
        "servebench: vLLM's result: "
            + file
            + (options.append() ? " (appended)" : "")
            + (details != null ? " with " + details.size() + " requests' details" : ""));
  }

  /** Creates vLLM's result directory and proves it writable before anything is sent. */
  static void prepareVllmResultDir(VllmResultJson.Options options) {
    Path directory = options.resultDir() == null ? Path.of("") : options.resultDir();
    Path absolute = directory.toAbsolutePath();
    try {
      Files.createDirectories(absolute);
      Path probe = Files.createTempFile(absolute, ".servebench-write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException notWritable) {
      throw new InvalidInputException(
          (options.resultDir() == null ? "the working directory " : "--result-dir ")
              + absolute
              + " cannot be written ("
              + notWritable.getMessage()
              + "): choose a directory you can write to with --result-dir");
    }
  }

  /** Creates the results directory and proves it writable before anything is sent. */
  private static Path prepareResultsDir(Path resultsDir) {
    if (resultsDir == null) {
      return null;
    }
    try {
      Files.createDirectories(resultsDir);
      Path probe = Files.createTempFile(resultsDir, ".servebench-write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException notWritable) {
      throw new InvalidInputException(
          "--results-dir "
              + resultsDir
              + " cannot be written ("
              + notWritable.getMessage()
              + "): choose a directory you can write to");
    }
    return resultsDir;
  }

  /**
   * {@code dir/stem.suffix}, or {@code dir/stem-2.suffix} and so on when taken: two runs in the
   * same second never overwrite each other's files.
   */
  private static Path unused(Path dir, String stem, String suffix) {
    Path path = dir.resolve(stem + suffix);
    for (int n = 2; Files.exists(path); n++) {
      path = dir.resolve(stem + "-" + n + suffix);
    }
    return path;
  }

  private static String shortId() {
    byte[] random = new byte[3];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
