package dev.servebench.cli;

import dev.servebench.endpoint.EndpointType;
import dev.servebench.engine.RunControl;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.run.Benchmark;
import dev.servebench.run.RunConfig;
import dev.servebench.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code servebench demo}: the first thing a newcomer runs. Starts the mock server in-process on a
 * free port and benchmarks it, streamed, on synthetic prompts, so the whole report can be read
 * against latencies that are known.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description =
        "Benchmarks the built-in mock server (TTFT and ITL known) on synthetic prompts and prints the report.")
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"--num-prompts", "--num_prompts"},
      description = "Requests to send.")
  int numPrompts = 200;

  @Option(
      names = {"--request-rate", "--request_rate"},
      description = "Requests per second (Poisson), or 'inf'.")
  String requestRate = "50";

  @Option(
      names = {"--ttft-ms", "--ttft_ms"},
      description = "The mock server's time to first token, ms.")
  double ttftMillis = 50;

  @Option(
      names = {"--itl-ms", "--itl_ms"},
      description = "The mock server's gap between tokens, ms.")
  double itlMillis = 10;

  @Option(
      names = {"--endpoint-type", "--endpoint_type"},
      description =
          "Protocol: openai-chat, openai-completions, openai-embeddings, simple, tgi, sglang,"
              + " triton.")
  String endpointType = EndpointType.OPENAI_CHAT.flagValue();

  @Option(
      names = {"--results-dir", "--results_dir"},
      description = "Also write the summary and records here.")
  Path resultsDir;

  @Option(names = "--seed", description = "Seed of prompts, arrivals and the mock's latencies.")
  long seed;

  /** Whether standard error is a terminal, which can show the live view's block. */
  boolean stderrTerminal;

  @Override
  public Integer call() throws Exception {
    MockServerConfig mockConfig =
        MockServerConfig.builder()
            .ttftMillis(ttftMillis)
            .itlMillis(itlMillis)
            .seed(seed)
            .tokenizer(Tokenizers.builtIn("r50k_base"))
            .modelName("gpt2")
            .build();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (MockServer server = MockServer.start(mockConfig)) {
      err.printf(
          "servebench demo: mock server on %s with TTFT %.1f ms and ITL %.1f ms%n",
          server.baseUrl(), ttftMillis, itlMillis);
      RunCommand run = new RunCommand();
      run.endpointBase = server.baseUrl();
      run.endpointType = endpointType;
      run.modelName = "gpt2";
      run.tokenizer = "r50k_base";
      run.datasetFormat = "Synthesis";
      run.numPrompts = numPrompts;
      run.requestRate = requestRate;
      run.seed = seed;
      run.stream = EndpointType.parse(endpointType).streams();
      run.inputLenMean = 128;
      run.inputLenStddev = 32;
      run.outputLenMean = 64;
      run.outputLenStddev = 16;
      run.resultsDir = resultsDir;
      run.stderrTerminal = stderrTerminal;
      run.ioThreads = 1;
      run.timeoutSeconds = 60;
      // A fresh JVM's first requests pay for class loading and compilation on both sides.
      run.warmupRequests = 10;
      RunConfig config = run.toConfig();
      Benchmark.Outcome outcome = Benchmark.execute(config, new RunControl(), out, err);
      int exitCode = outcome.exitCode();
      err.printf(
          "servebench demo: the mock generated %d tokens for %d requests, %d of them warm-up;"
              + " the report counts the %d measured requests' %d tokens.%n",
          server.completionTokensGenerated(),
          server.requestsServed(),
          outcome.summary().counts().warmupRequests(),
          outcome.summary().counts().requests(),
          outcome.summary().throughput().outputTokens());
      err.flush();
      return exitCode;
    }
  }
}
