package dev.servebench.cli;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.InvalidInputException;
import dev.servebench.config.RunConfig;
import dev.servebench.dataset.DatasetFormat;
import dev.servebench.dataset.DatasetOptions;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.run.Benchmark;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code servebench run}: every flag of LLM-on-Ray's benchmark_serving.py, in both the seed
 * document's underscore spelling and the script's hyphen spelling, plus servebench's own.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    abbreviateSynopsis = true,
    description = "Benchmarks an LLM serving endpoint (the default command).")
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;


  @Option(names = {"--model-endpoint-base", "--model_endpoint_base"}, description = "Base URL of the server.")
  String endpointBase = "http://127.0.0.1:8000";

  @Option(
      names = {"--model-name", "--model_name"},
      description = "Model to benchmark. Default: the first model the server lists at /v1/models (OpenAI endpoints); required for --simple.")
  String modelName;

  @Option(
      names = {"--endpoint-type", "--endpoint_type"},
      description = "Protocol: simple (LLM-on-Ray), openai-chat, openai-completions.")
  String endpointType = EndpointType.OPENAI_CHAT.flagValue();

  @Option(names = "--simple", description = "Use LLM-on-Ray's simple endpoint (same as --endpoint-type simple).")
  boolean simple;

  @Option(names = "--route", description = "Route of the simple endpoint instead of /<model-name>.")
  String route;

  @Option(
      names = {"--api-key", "--api_key"},
      description = "Bearer token for the server. Default: the OPENAI_API_KEY environment variable. Never printed or written.")
  String apiKey;

  @Option(
      names = "--tokenizer",
      description = "Tokenizer: a built-in encoding (r50k_base, p50k_base, cl100k_base, o200k_base) or the path of a tokenizer.json. Default: the model's known tokenizer (gpt-j-6b, gpt2: r50k_base).")
  String tokenizer;

  @Option(names = "--dataset", description = "Dataset file (ShareGPT JSON, IPEX prompt.json or JSONL).")
  Path dataset;

  @Option(
      names = {"--dataset-format", "--dataset_format"},
      description = "ShareGPT, IPEX, Synthesis (random prompts from the tokenizer's vocabulary) or JSONL.")
  String datasetFormat = "ShareGPT";

  @Option(names = {"--num-prompts", "--num_prompts"}, description = "Number of requests to send.")
  int numPrompts = 1000;

  @Option(
      names = {"--request-rate", "--request_rate"},
      description = "Requests per second, sent at Poisson arrivals; 'inf' sends all at once.")
  String requestRate = "inf";

  @Option(names = {"--max-concurrency", "--max_concurrency"}, description = "Most requests in flight at once; 0 for no cap.")
  int maxConcurrency;

  @Option(names = "--seed", description = "Seed for prompt sampling, synthetic prompts and arrival times.")
  long seed;

  @Option(names = "--timeout", description = "Seconds a request may take in all before it fails as a timeout.")
  double timeoutSeconds = 600;

  @Option(
      names = {"--track-token-latency", "--track_token_latency"},
      description = "Stream responses and measure first-token and inter-token latency (as the original).")
  boolean trackTokenLatency;

  @Option(
      names = "--stream",
      negatable = true,
      description = "Ask for streamed responses (--no-stream: one response per request). Default: on with --track-token-latency.")
  Boolean stream;

  @Option(
      names = {"--track-input-output", "--track_input_output"},
      description = "Keep each prompt and generated text in the records file.")
  boolean trackInputOutput;

  @Option(names = {"--results-dir", "--results_dir"}, description = "Directory for the summary JSON and the per-request records (JSONL).")
  Path resultsDir;

  @Option(names = "--progress", description = "Print progress to stderr every second.")
  boolean progress;

  @Option(names = {"--io-threads", "--io_threads"}, description = "Network threads of the client.")
  int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));

  @Option(names = {"--input-tokens", "--input_tokens"}, description = "IPEX: input length of the prompt to send.")
  int inputTokens = 32;

  @Option(
      names = {"--max-new-tokens", "--max_new_tokens"},
      description = "IPEX: tokens to generate. Default: as many as the prompt has.")
  Integer maxNewTokens;

  @Option(names = {"--model-type", "--model_type"}, description = "IPEX: model type whose prompt to send.")
  String modelType = "gpt-j";

  @Option(names = {"--min-input-tokens-len", "--min_input_tokens_len"}, description = "ShareGPT: drop prompts shorter than this.")
  Integer minInputTokens = 4;

  @Option(names = {"--max-input-tokens-len", "--max_input_tokens_len"}, description = "ShareGPT: drop prompts longer than this.")
  Integer maxInputTokens = 1024;

  @Option(names = {"--min-output-tokens-len", "--min_output_tokens_len"}, description = "ShareGPT: drop completions shorter than this.")
  Integer minOutputTokens = 4;

  @Option(names = {"--max-output-tokens-len", "--max_output_tokens_len"}, description = "ShareGPT: drop completions longer than this.")
  Integer maxOutputTokens = 1024;

  @Option(names = {"--max-length", "--max_length"}, description = "ShareGPT: drop pairs whose prompt + completion is longer than this.")
  Integer maxLength = 2048;

  @Option(names = {"--input-len-mean", "--input_len_mean"}, description = "Synthesis: mean prompt length (tokens, normal distribution).")
  double inputLenMean = 128;

  @Option(names = {"--input-len-stddev", "--input_len_stddev"}, description = "Synthesis: standard deviation of the prompt length.")
  double inputLenStddev = 32;

  @Option(names = {"--output-len-mean", "--output_len_mean"}, description = "Synthesis: mean output length (tokens, normal distribution).")
  double outputLenMean = 128;

  @Option(names = {"--output-len-stddev", "--output_len_stddev"}, description = "Synthesis: standard deviation of the output length.")
  double outputLenStddev = 32;

  @Option(names = "--temperature", description = "Sampling temperature (sent only when given; 0 is sent as 0).")
  Double temperature;

  @Option(names = {"--top-p", "--top_p"}, description = "Nucleus sampling (sent only when given).")
  Double topP;

  @Option(names = {"--top-k", "--top_k"}, description = "Top-k sampling (sent only when given; 0 is sent as 0).")
  Integer topK;

  @Option(names = {"--do-sample", "--do_sample"}, description = "Simple endpoint: sample instead of greedy decoding.")
  Boolean doSample;

  @Option(
      names = {"--vllm-engine", "--vllm_engine"},
      description = "The server runs vLLM: send ignore_eos so every request generates its full length.")
  boolean vllmEngine;

  @Override
  public Integer call() throws Exception {
    return Benchmark.execute(toConfig(), spec.commandLine().getOut(), spec.commandLine().getErr())
        .exitCode();
  }

  RunConfig toConfig() {
    EndpointType type = EndpointType.parse(endpointType);
    if (simple) {
      if (type != EndpointType.OPENAI_CHAT && type != EndpointType.SIMPLE) {
        throw new InvalidInputException(
            "--simple contradicts --endpoint-type " + endpointType + ": give one of them");
      }
      type = EndpointType.SIMPLE;
    }
    DatasetFormat format = DatasetFormat.parse(datasetFormat);
    if (format != DatasetFormat.SYNTHESIS && dataset == null) {
      throw new InvalidInputException(
          "--dataset is required for --dataset-format " + format.displayName()
              + " (or use --dataset-format Synthesis, which needs no file)");
    }
    DatasetOptions options =
        new DatasetOptions(
            dataset,
            numPrompts,
            seed,
            minInputTokens,
            maxInputTokens,
            minOutputTokens,
            maxOutputTokens,
            maxLength,
            modelType,
            inputTokens,
            maxNewTokens,
            inputLenMean,
            inputLenStddev,
            outputLenMean,
            outputLenStddev);
    String key = apiKey != null ? apiKey : System.getenv("OPENAI_API_KEY");
    return new RunConfig(
        HttpTarget.parse(endpointBase),
        type,
        route,
        modelName,
        key == null || key.isBlank() ? null : key,
        tokenizer,
        format,
        options,
        parseRate(requestRate),
        maxConcurrency,
        timeout(timeoutSeconds),
        stream != null ? stream : trackTokenLatency,
        trackInputOutput,
        resultsDir,
        progress,
        ioThreads,
        temperature,
        topP,
        topK,
        doSample,
        vllmEngine);
  }

  static double parseRate(String value) {
    String text = value.trim().toLowerCase(Locale.ROOT);
    if (text.equals("inf") || text.equals("infinity")) {
      return Double.POSITIVE_INFINITY;
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException notNumber) {
      throw new InvalidInputException(
          "--request-rate '" + value + "' is not a number: give requests per second (e.g. 10) or 'inf'");
    }
  }

  static Duration timeout(double seconds) {
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      throw new InvalidInputException("--timeout must be a positive number of seconds, got " + seconds);
    }
    return Duration.ofNanos((long) (seconds * 1e9));
  }
}
