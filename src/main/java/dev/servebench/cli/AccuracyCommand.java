package dev.servebench.cli;

import dev.servebench.endpoint.EndpointType;
import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.Distribution;
import dev.servebench.run.AccuracyCheck;
import dev.servebench.run.ColdAccuracyCheck;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code servebench accuracy}: measures how far servebench's timestamps are from the truth on the
 * host it runs on, against the in-process mock server's log of its own writes.
 */
@Command(
    name = "accuracy",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Checks servebench's own timing where it runs: what the client adds to TTFT, ITL and E2E.",
      "The mock server logs when it wrote each chunk, servebench stamps when each arrived; the",
      "difference is all the client adds.",
      "warm: a warm-up phase comes first (see --warmup-requests); the figures are of the requests",
      "after it. cold: a fresh `servebench run` process per row, no warm-up, all its requests at",
      "once (as a user's first run), openai-chat, openai-completions and simple, http and https."
    })
final class AccuracyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--streams",
      split = ",",
      description = "Concurrent streams to check at, one check each.")
  List<Integer> streams = List.of(1, 500);

  @Option(
      names = {"--requests-per-stream", "--requests_per_stream"},
      description = "Requests each stream sends in turn.")
  int requestsPerStream = 10;

  @Option(
      names = {"--output-tokens", "--output_tokens"},
      description = "Tokens per response.")
  int outputTokens = 50;

  @Option(
      names = {"--itl-ms", "--itl_ms"},
      description = "The mock's mean gap between tokens, ms.")
  double itlMillis = 20;

  @Option(
      names = {"--ttft-ms", "--ttft_ms"},
      description = "The mock's mean time to first token, ms.")
  double ttftMillis = 20;

  @Option(
      names = {"--jitter-ms", "--jitter_ms"},
      description = "Standard deviation of TTFT and of each gap, ms.")
  double jitterMillis = 5;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = {
        "Check against a mock server in another process, as a real server runs (its own heap and",
        "collector pauses), instead of one started in this one; bench/accuracy.sh does. Start it",
        "with `servebench mock-server --record-writes 1000000`; its own latency flags then apply,",
        "not this command's --ttft-ms, --itl-ms and --jitter-ms."
      })
  String serverUrl;

  @Option(
      names = {"--request-rate", "--request_rate"},
      description = {
        "Send the measured requests open loop at this constant rate (req/s), at most --streams in",
        "flight, instead of each stream sending its next as soon as one ends (0). Many streams",
        "then start spread out, as a rate-driven run starts them."
      })
  double ratePerSecond = 0;

  @Option(
      names = {"--warmup-requests", "--warmup_requests"},
      description =
          "Short requests sent before measuring, so that both sides' code is compiled by the JIT.")
  int warmupRequests = 30_000;

  @Option(
      names = "--phases",
      split = ",",
      description = "Which checks to run: warm (a warmed-up client), cold (fresh processes).")
  List<String> phases = List.of("warm", "cold");

  @Option(
      names = {"--cold-requests", "--cold_requests"},
      split = ",",
      description = "Requests sent at once by each cold run, one run per count and protocol.")
  List<Integer> coldRequests = List.of(1, 10, 100);

  @Option(
      names = {"--cold-endpoints", "--cold_endpoints"},
      split = ",",
      description = "Protocols of the cold runs.")
  List<String> coldEndpoints = List.of("openai-chat", "openai-completions", "simple");

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    for (String phase : phases) {
      if (!phase.equals("warm") && !phase.equals("cold")) {
        throw new InvalidInputException("--phases: unknown phase '" + phase + "'; use warm, cold");
      }
    }
    boolean allGood = true;
    if (phases.contains("warm")) {
      allGood &= warm(out);
    }
    if (phases.contains("cold")) {
      allGood &= cold(out);
    }
    return allGood ? 0 : 1;
  }

  private boolean cold(PrintWriter out) throws Exception {
    out.println();
    out.println(
        "cold: a fresh `servebench run` per row, no warm-up, every request sent at once; the"
            + " server warmed first");
    out.printf(
        Locale.ROOT,
        "%-19s %-6s %-9s %-22s %-22s %-16s %-13s %s%n",
        "endpoint",
        "scheme",
        "requests",
        "TTFT error p50/p99",
        "E2E error p50/p99",
        "lag p99/max",
        "opened ahead",
        "failed");
    boolean[] allGood = {true};
    ColdAccuracyCheck.runAll(
        new ColdAccuracyCheck.Plan(
            serverUrl,
            ttftMillis,
            itlMillis,
            jitterMillis,
            outputTokens,
            coldRequests,
            coldEndpoints.stream().map(EndpointType::parse).toList()),
        result -> {
          allGood[0] &= coldRow(out, result);
        });
    out.println(
        "(milliseconds; errors: the run's TTFT and E2E minus the server's own, from reading the"
            + " request to writing the first and last token; lag: the run's send minus its plan;"
            + " opened ahead: connections the run opened before its first send)");
    return allGood[0];
  }

  private static boolean coldRow(PrintWriter out, ColdAccuracyCheck.Result result) {
    ColdAccuracyCheck.Case run = result.run();
    out.printf(
        Locale.ROOT,
        "%-19s %-6s %-9d %-22s %-22s %-16s %-13d %d%n",
        run.endpoint().flagValue(),
        run.https() ? "https" : "http",
        result.requests(),
        ms(result.ttftError(), false),
        ms(result.e2eError(), false),
        String.format(
            Locale.ROOT,
            "%.3f / %.3f",
            result.scheduleLag().p99Nanos() / 1e6,
            result.scheduleLag().maxNanos() / 1e6),
        result.connectionsOpenedAhead(),
        result.failedRequests());
    out.flush();
    return result.failedRequests() == 0;
  }

  private boolean warm(PrintWriter out) throws Exception {
    out.printf(
        Locale.ROOT,
        "%-8s %-9s %-8s %-22s %-22s %-22s %-22s %-22s %-13s %s%n",
        "streams",
        "requests",
        "chunks",
        "chunk delay p50/p99/max",
        "send delay p50/p99",
        "TTFT error p50/p99",
        "E2E error p50/p99",
        "ITL error p50/p99/max",
        "I/O CPU wait",
        "tokens equal");
    boolean allGood = true;
    for (int count : streams) {
      AccuracyCheck.Load load =
          new AccuracyCheck.Load(
              count,
              requestsPerStream,
              outputTokens,
              ttftMillis,
              itlMillis,
              jitterMillis,
              warmupRequests,
              ratePerSecond);
      AccuracyCheck.Result result =
          serverUrl == null ? AccuracyCheck.run(load) : AccuracyCheck.runAgainst(serverUrl, load);
      out.printf(
          Locale.ROOT,
          "%-8d %-9d %-8d %-22s %-22s %-22s %-22s %-22s %-13s %s%n",
          result.streams(),
          result.requests(),
          result.chunks(),
          ms(result.chunkDelay(), true),
          ms(result.sendDelay(), false),
          ms(result.ttftError(), false),
          ms(result.e2eError(), false),
          ms(result.itlError(), true),
          result.ioThreadsCpuWaitNanos() < 0
              ? "n/a"
              : String.format(Locale.ROOT, "%.3f", result.ioThreadsCpuWaitNanos() / 1e6),
          verdict(result));
      out.flush();
      allGood &= result.tokenCountsMatch() && result.failedRequests() == 0;
      if (result.unloggedRequests() > 0) {
        out.printf(
            Locale.ROOT,
            "(%d requests had no server log and were left out: raise the server's --record-writes)%n",
            result.unloggedRequests());
      }
    }
    out.println(
        "(milliseconds; chunk delay: server write to client stamp; send delay: client send stamp to"
            + " the server's read of the request, its wait included; errors: the client's TTFT, E2E"
            + " and gaps minus the server's own; I/O CPU wait: how long the client's I/O threads"
            + " were ready but waited for a CPU, over the measured phase, in all)");
    return allGood;
  }

  private static String verdict(AccuracyCheck.Result result) {
    if (result.failedRequests() > 0) {
      return "NO (" + result.failedRequests() + " failed)";
    }
    return result.tokenCountsMatch() ? "yes" : "NO";
  }

  private static String ms(Distribution d, boolean withMax) {
    String text = String.format(Locale.ROOT, "%.3f / %.3f", d.p50Nanos() / 1e6, d.p99Nanos() / 1e6);
    return withMax ? text + String.format(Locale.ROOT, " / %.3f", d.maxNanos() / 1e6) : text;
  }
}
