package dev.servebench.cli;

import dev.servebench.mock.CapacitySpec;
import dev.servebench.mock.FaultSpec;
import dev.servebench.mock.LatencySpec;
import dev.servebench.mock.MockFlags;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.tokenizer.ChatTemplate;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code servebench mock-server}: the built-in LLM server, until Ctrl-C. */
@Command(
    name = "mock-server",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    description = {
      "Serves a mock LLM with known latencies: OpenAI chat and completions (/v1/...), LLM-on-Ray's simple endpoint (any other POST route), streamed or not.",
      "Each generated token is a real token of --tokenizer, so token counts can be checked exactly."
    })
final class MockServerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--host", description = "Address to listen on.")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "Port to listen on; 0 picks a free port and prints it.")
  int port = 8000;

  @Option(
      names = {"--ttft-ms", "--ttft_ms"},
      description = "Mean time to first token, ms.")
  double ttftMillis = 50;

  @Option(
      names = {"--ttft-stddev-ms", "--ttft_stddev_ms"},
      description = "Standard deviation of the time to first token, ms.")
  double ttftStddevMillis;

  @Option(
      names = {"--itl-ms", "--itl_ms"},
      description = "Mean gap between tokens, ms.")
  double itlMillis = 10;

  @Option(
      names = {"--itl-stddev-ms", "--itl_stddev_ms"},
      description = "Standard deviation of the gap between tokens, ms.")
  double itlStddevMillis;

  @Option(
      names = {"--output-tokens", "--output_tokens"},
      description =
          "Generate exactly this many tokens for every request. Default: the request's max_tokens / max_new_tokens.")
  Integer outputTokens;

  @Option(
      names = {"--default-output-tokens", "--default_output_tokens"},
      description = "Tokens to generate when a request names no maximum.")
  int defaultOutputTokens = 16;

  @Option(names = "--seed", description = "Seed of the latency and text generators.")
  long seed;

  @Option(
      names = "--tokenizer",
      description =
          "Tokenizer whose tokens make up the output: a built-in encoding, a tokenizer.json path, or a Hugging Face repository id in the local cache.")
  String tokenizer = "r50k_base";

  @Option(
      names = {"--no-chat-template", "--no_chat_template"},
      description =
          "Count a chat request's prompt tokens on the messages' bare text. Default: rendered with the chat template beside the tokenizer's tokenizer.json, as a serving engine does, when it has one.")
  boolean noChatTemplate;

  @Option(
      names = {"--model-name", "--model_name"},
      description = "Model the server lists at /v1/models.")
  String modelName = "mock-model";

  @Option(
      names = {"--io-threads", "--io_threads"},
      description = "Network threads of the server.")
  int ioThreads = 1;

  @Option(
      names = "--role-chunk",
      negatable = true,
      description = "Start chat streams with a role-only delta, as vLLM does.")
  boolean roleChunk = true;

  @Option(
      names = {"--latency-file", "--latency_file"},
      description =
          "Per-request timing scripts, one JSON line each ({\"ttft_ms\":50,\"itl_ms\":[10,10,250]}), used in turn; overrides --ttft-ms/--itl-ms.")
  Path latencyFile;

  @Option(
      names = {"--tokens-per-chunk", "--tokens_per_chunk"},
      split = ",",
      description = "Tokens per streamed chunk, a pattern that repeats (e.g. 1 or 3 or 1,2,4).")
  List<Integer> tokensPerChunk = List.of(1);

  @Option(
      names = "--usage",
      description =
          "Where streamed usage goes when asked for: separate, in_last_content, absent, continuous.")
  String usage = "separate";

  @Option(
      names = {"--cut-words", "--cut_words"},
      description = {
        "Cut stream events inside words: each keeps back its last character for the next, as",
        "llama.cpp keeps back a token that ends inside a UTF-8 character (with --tokens-per-chunk",
        "2 or more, events also hold several tokens)."
      })
  boolean cutWords;

  @Option(
      names = {"--reasoning-tokens", "--reasoning_tokens"},
      description = "Send the first N tokens of chat streams as reasoning_content.")
  int reasoningTokens;

  @Option(
      names = {"--stall"},
      description =
          "Hold streams for some ms after token k: AFTER_TOKENS:HOLD_MS@WHEN, WHEN a probability or every:N (e.g. 5:2000@every:100).")
  List<String> stalls = List.of();

  @Option(
      names = {"--server-stall", "--server_stall"},
      description =
          "Write nothing at all between two times after start, in ms: FROM_MS-UNTIL_MS (e.g. 10000-12000).")
  List<String> serverStalls = List.of();

  @Option(
      names = "--fault",
      description =
          "Inject a fault: NAME[:PARAM]@WHEN, WHEN a probability (0.05 or 5%%) or every:N; repeatable. Names: close_before_headers, reset_after_tokens, http_429, http_500, http_503_html, html_200, sse_error_event, end_without_done, drop_last_event, malformed_json, invalid_utf8, endless_stream, never_answer, wide_events, huge_response, close_idle_keepalive.")
  List<String> faults = List.of();

  @Option(
      names = {"--max-running", "--max_running"},
      description = {
        "Run at most B requests at once, as a serving engine's batch; the rest wait first in, first",
        "out, their TTFT counting from when they get a place. 0: no limit."
      })
  int maxRunning;

  @Option(
      names = {"--token-budget", "--token_budget"},
      description = {
        "Decode tokens per second shared equally by the running requests: each one's gap between",
        "tokens is max(ITL, running / budget). 0: no limit."
      })
  double tokenBudget;

  @Option(
      names = {"--prefill-tokens-per-s", "--prefill_tokens_per_s"},
      description = {
        "Prefill speed of one request: its TTFT grows by prompt tokens / this rate (each request's",
        "prefill apart from the others'). 0: no prefill cost beyond --ttft-ms."
      })
  double prefillTokensPerSecond;

  @Option(
      names = {"--record-writes", "--record_writes"},
      description =
          "Log when each chunk was written for the first N generation requests, for `servebench"
              + " accuracy --server`; GET /servebench/writes hands the log out and forgets it.")
  int recordWrites;

  @Override
  public Integer call() throws Exception {
    Tokenizer servedTokenizer = Tokenizers.resolve(tokenizer, null);
    MockServerConfig.Builder builder =
        MockServerConfig.builder()
            .host(host)
            .port(port)
            .ttftMillis(ttftMillis)
            .ttftStddevMillis(ttftStddevMillis)
            .itlMillis(itlMillis)
            .itlStddevMillis(itlStddevMillis)
            .fixedOutputTokens(outputTokens)
            .defaultOutputTokens(defaultOutputTokens)
            .seed(seed)
            .tokenizer(servedTokenizer)
            .chatTemplate(noChatTemplate ? null : ChatTemplate.of(servedTokenizer).template())
            .ioThreads(ioThreads)
            .sendRoleChunk(roleChunk)
            .modelName(modelName)
            .tokensPerChunk(tokensPerChunk.toArray(Integer[]::new))
            .usagePlacement(MockFlags.usagePlacement(usage))
            .reasoningTokens(reasoningTokens)
            .cutWords(cutWords)
            .recordWrites(recordWrites)
            .capacity(new CapacitySpec(maxRunning, tokenBudget, prefillTokensPerSecond));
    if (latencyFile != null) {
      builder.latency(LatencySpec.Scripted.fromJsonLines(latencyFile));
    }
    stalls.forEach(stall -> builder.stall(MockFlags.stall(stall)));
    serverStalls.forEach(window -> builder.serverStall(MockFlags.serverStall(window)));
    faults.forEach(fault -> builder.fault(FaultSpec.parse(fault)));
    MockServerConfig config = builder.build();
    MockServer server = MockServer.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "servebench-mock-stop"));
    spec.commandLine()
        .getOut()
        .println("servebench mock server listening on " + server.baseUrl() + " (Ctrl-C stops it)");
    spec.commandLine().getOut().flush();
    server.awaitClose();
    return 0;
  }
}
