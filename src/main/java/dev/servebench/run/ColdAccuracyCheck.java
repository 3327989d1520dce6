package dev.servebench.run;

import dev.servebench.config.TlsOptions;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.LatencyRecorder;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.RequestWrites;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The accuracy of a fresh process: each case runs {@code servebench run} as a new JVM (the same
 * Java, class path and JVM flags as this one, so through {@code ./servebench} with its start-up
 * archive and compiler settings), with no warm-up, sending its requests all at once to a mock
 * server that logs its writes; then the run's records are set against that log. TTFT and E2E errors
 * are differences of durations, each measured on one side's own clock, so the two processes need no
 * common time base.
 */
public final class ColdAccuracyCheck {

  /**
   * One cold run: which protocol and how many requests at once, over https or not.
   *
   * @param caBundle the PEM file that makes the server's certificate trusted (https), or {@code
   *     null}
   */
  public record Case(EndpointType endpoint, int requests, String baseUrl, Path caBundle) {
    public boolean https() {
      return baseUrl.startsWith("https:");
    }
  }

  /**
   * What a cold run measured.
   *
   * @param ttftError the run's TTFT minus the server's (first token written minus request read)
   * @param e2eError the run's E2E minus the server's (last token written minus request read)
   * @param scheduleLag the run's own schedule lag (sent minus intended)
   * @param connectionsOpenedAhead connections the run opened before its first send
   * @param failedRequests requests that did not succeed, or had no server log, or whose chunk count
   *     differs from the server's (left out of the errors)
   */
  public record Result(
      Case run,
      long requests,
      Distribution ttftError,
      Distribution e2eError,
      Distribution scheduleLag,
      int connectionsOpenedAhead,
      long failedRequests) {}

  /** Where the mock's truth comes from; taking it empties the log. */
  @FunctionalInterface
  public interface WriteSource {
    List<RequestWrites> takeAll() throws IOException, InterruptedException;
  }

  private static final long RUN_TIMEOUT_SECONDS = 120;
  private static final int OUTPUT_TOKENS = 32;

  private ColdAccuracyCheck() {}

  /**
   * The cold check's rows: each protocol at each count, over http and https against mock servers
   * started here (their certificate made for the check), or over {@code serverUrl}'s scheme against
   * a mock server in another process. Each server is warmed up first, so its own start-up is not
   * counted against the client.
   *
   * @param serverUrl a mock server started with {@code --record-writes}, or {@code null}
   */
  public record Plan(
      String serverUrl,
      double ttftMillis,
      double itlMillis,
      double jitterMillis,
      int warmupOutputTokens,
      List<Integer> requestCounts,
      List<EndpointType> endpoints) {}

  private static final int SERVER_WARMUP_REQUESTS = 2_000;
  private static final int SERVER_WARMUP_STREAMS = 100;

  /** Runs every row of the plan, handing each result over as it comes. */
  public static void runAll(Plan plan, Consumer<Result> onRow)
      throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("servebench-cold-");
    try {
      if (plan.serverUrl() != null) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        warm(plan, plan.serverUrl(), TlsOptions.VERIFY);
        rows(
            plan,
            plan.serverUrl(),
            null,
            () -> AccuracyCheck.fetchWrites(http, plan.serverUrl()),
            work,
            onRow);
        return;
      }
      SelfSignedTls certificate = SelfSignedTls.create(work);
      for (boolean https : new boolean[] {false, true}) {
        MockServerConfig.Builder config =
            MockServerConfig.builder()
                .ttftMillis(plan.ttftMillis())
                .ttftStddevMillis(plan.jitterMillis())
                .itlMillis(plan.itlMillis())
                .itlStddevMillis(plan.jitterMillis())
                .recordWrites(100_000)
                .tokenizer(Tokenizers.builtIn("r50k_base"))
                .modelName("gpt2");
        if (https) {
          config.tls(certificate.serverContext());
        }
        try (MockServer server = MockServer.start(config.build())) {
          warm(plan, server.baseUrl(), new TlsOptions(true, null));
          rows(
              plan,
              server.baseUrl(),
              https ? certificate.caBundle() : null,
              server::takeAllWrites,
              work,
              onRow);
        }
      }
    } finally {
      deleteTree(work);
    }
  }

  /** Warms the server on every protocol the plan checks, so none of its code runs cold. */
  private static void warm(Plan plan, String baseUrl, TlsOptions tls)
      throws InterruptedException, IOException {
    for (EndpointType endpoint : plan.endpoints()) {
      AccuracyCheck.warmServer(
          baseUrl,
          endpoint,
          tls,
          SERVER_WARMUP_REQUESTS,
          SERVER_WARMUP_STREAMS,
          plan.warmupOutputTokens());
    }
  }

  private static void rows(
      Plan plan,
      String baseUrl,
      Path caBundle,
      WriteSource truth,
      Path work,
      Consumer<Result> onRow)
      throws IOException, InterruptedException {
    for (EndpointType endpoint : plan.endpoints()) {
      for (int requests : plan.requestCounts()) {
        onRow.accept(run(new Case(endpoint, requests, baseUrl, caBundle), truth, work));
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /**
   * Runs one case as a fresh process and compares its records with the server's log. The log is
   * emptied first, so it holds only this run's requests.
   *
   * @param workDir a scratch directory for the run's results and prompt cache
   */
  public static Result run(Case run, WriteSource truth, Path workDir)
      throws IOException, InterruptedException {
    truth.takeAll();
    Path results = Files.createTempDirectory(workDir, "cold-");
    List<String> command = new ArrayList<>(javaCommand());
    command.addAll(
        List.of(
            "run",
            "--model-endpoint-base",
            run.baseUrl(),
            "--endpoint-type",
            run.endpoint().flagValue(),
            "--model-name",
            "gpt2",
            "--tokenizer",
            "r50k_base",
            "--dataset-format",
            "Synthesis",
            "--input-len-mean",
            "32",
            "--input-len-stddev",
            "0",
            "--output-len-mean",
            Integer.toString(OUTPUT_TOKENS),
            "--output-len-stddev",
            "0",
            "--num-prompts",
            Integer.toString(run.requests()),
            "--track-token-latency",
            "--prompt-cache",
            workDir.resolve("prompt-cache").toString(),
            "--results-dir",
            results.toString()));
    if (run.caBundle() != null) {
      command.addAll(List.of("--ca-cert", run.caBundle().toString()));
    }
    Path output = results.resolve("output.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "the cold run did not end within " + RUN_TIMEOUT_SECONDS + " s: " + command);
    }
    Path records;
    try (Stream<Path> files = Files.list(results)) {
      records =
          files
              .filter(file -> file.getFileName().toString().endsWith("-records.jsonl"))
              .findFirst()
              .orElse(null);
    }
    if (records == null) {
      throw new IllegalStateException(
          "the cold run wrote no records (exit "
              + process.exitValue()
              + "): "
              + Files.readString(output, StandardCharsets.UTF_8));
    }
    Map<String, RequestWrites> written = new HashMap<>();
    for (RequestWrites writes : truth.takeAll()) {
      written.put(writes.requestId(), writes);
    }
    return compare(run, records, written);
  }

  /** Sets each request of a records file against the server's log of it. */
  static Result compare(Case run, Path records, Map<String, RequestWrites> written) {
    LatencyRecorder ttftError = new LatencyRecorder();
    LatencyRecorder e2eError = new LatencyRecorder();
    LatencyRecorder lag = new LatencyRecorder();
    long[] counts = new long[2]; // requests, failed
    RecordReader.Result read =
        RecordReader.read(
            records,
            record -> {
              counts[0]++;
              RequestWrites truth = written.get(Integer.toString(record.index()));
              if (!record.succeeded()
                  || truth == null
                  || truth.chunks().size() != record.chunks().nanos().length
                  || truth.chunks().isEmpty()) {
                counts[1]++;
                return;
              }
              List<RequestWrites.Chunk> chunks = truth.chunks();
              long serverTtft = chunks.get(0).writeNanos() - truth.receivedNanos();
              long serverE2e = chunks.get(chunks.size() - 1).writeNanos() - truth.receivedNanos();
              ttftError.record(record.ttftNanos() - serverTtft);
              e2eError.record(lastChunk(record) - record.stamps().sentNanos() - serverE2e);
              lag.record(record.scheduleLagNanos());
            });
    List<Double> levels = List.of(50.0, 99.0);
    return new Result(
        run,
        counts[0],
        ttftError.distribution(levels),
        e2eError.distribution(levels),
        lag.distribution(levels),
        read.end() == null ? -1 : read.end().connectionsOpenedAhead(),
        counts[1]);
  }

  private static long lastChunk(RequestRecord record) {
    long[] chunks = record.chunks().nanos();
    return chunks[chunks.length - 1];
  }

  /**
   * This JVM's own command: its java, its class path, and the flags that shape start-up and timing
   * (compiler, collector, class-data archive, native access); agents and debugging flags are left
   * out.
   */
  static List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    String javaHome = System.getProperty("java.home");
    command.add(Path.of(javaHome, "bin", "java").toString());
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if ((flag.startsWith("-XX:") && !flag.startsWith("-XX:ArchiveClassesAtExit"))
          || flag.startsWith("-Xshare")
          || flag.startsWith("-Xlog")
          || flag.startsWith("-Xm")
          || flag.startsWith("--enable-native-access")) {
        command.add(flag);
      }
    }
    String classPath = System.getProperty("java.class.path");
    if (classPath == null || classPath.isEmpty()) {
      throw new InvalidInputException("cannot start a fresh servebench: no class path is known");
    }
    if (command.stream().noneMatch(flag -> flag.startsWith("--enable-native-access"))) {
      // What the jar's manifest grants under -jar; -cp does not read the manifest.
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.add("-cp");
    command.add(classPath);
    command.add("dev.servebench.cli.Main");
    return command;
  }
}
