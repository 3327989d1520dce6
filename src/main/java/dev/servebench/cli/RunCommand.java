package dev.servebench.cli;

import dev.servebench.config.ApiKeys;
import dev.servebench.config.DurationParser;
import dev.servebench.config.Goodput;
import dev.servebench.config.HttpTarget;
import dev.servebench.config.RequestHeaders;
import dev.servebench.config.StartTime;
import dev.servebench.config.TlsOptions;
import dev.servebench.dataset.DatasetFormat;
import dev.servebench.dataset.DatasetOptions;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.endpoint.ExtraBody;
import dev.servebench.engine.RunControl;
import dev.servebench.error.InvalidInputException;
import dev.servebench.report.LiveLog;
import dev.servebench.report.LiveView;
import dev.servebench.report.PercentileMetric;
import dev.servebench.report.VllmResultJson;
import dev.servebench.run.Benchmark;
import dev.servebench.run.LocalShards;
import dev.servebench.run.RunConfig;
import dev.servebench.schedule.RateRamp;
import dev.servebench.schedule.Shard;
import dev.servebench.tokenizer.LlmOnRayModel;
import dev.servebench.tokenizer.TokenizerLocations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
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
    description =
        "Benchmarks an LLM serving endpoint (the default command): sends prompts at a rate or a"
            + " concurrency and reports throughput, TTFT, TPOT, ITL and end-to-end latency.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  A ShareGPT file at 5 requests/s, streamed, with every result file:",
      "    servebench run --base-url http://127.0.0.1:8000 --tokenizer cl100k_base \\",
      "        --dataset ShareGPT_V3_unfiltered_cleaned_split.json \\",
      "        --num-prompts 200 --request-rate 5 --stream --results-dir results/",
      "  A closed loop of 16 synthetic requests for 5 minutes, labelled:",
      "    servebench run --base-url http://127.0.0.1:8000 \\",
      "        --dataset-format Synthesis --concurrency 16 --duration 5m --stream \\",
      "        --label c16 --metadata gpu=H100 --results-dir results/",
      "  vLLM's bench serve command line, with its result file:",
      "    servebench --backend vllm --model meta-llama/Llama-3.1-8B-Instruct \\",
      "        --dataset-name random --random-input-len 1024 \\",
      "        --random-output-len 128 --request-rate 10 --save-result",
      "  The seed script's command line, as it was:",
      "    servebench --model_endpoint_base http://127.0.0.1:8000 \\",
      "        --model_name gpt-j-6b --simple --dataset prompt.json \\",
      "        --dataset_format IPEX --num_prompts 10",
      "  Then compare the runs of a results directory:",
      "    servebench compare results/ --html compare.html"
    })
final class RunCommand implements Callable<Integer> {

  /**
   * The sections of {@code run --help}, each with its options (by any of their names), in the order
   * a user decides them: where to send, what, how fast, what to measure, what to write.
   */
  static final Map<String, List<String>> HELP_SECTIONS = helpSections();

  private static Map<String, List<String>> helpSections() {
    Map<String, List<String>> sections = new java.util.LinkedHashMap<>();
    sections.put(
        "Endpoint",
        List.of(
            "--base-url",
            "--host",
            "--port",
            "--model-name",
            "--endpoint-type",
            "--backend",
            "--simple",
            "--route",
            "--api-key",
            "--api-key-file",
            "--header",
            "--insecure",
            "--ca-cert",
            "--wait-for-server",
            "--ready-check-timeout-sec"));
    sections.put(
        "Dataset & tokenizer",
        List.of(
            "--dataset",
            "--dataset-format",
            "--num-prompts",
            "--tokenizer",
            "--model-config",
            "--llm-on-ray",
            "--no-chat-template",
            "--prompt-cache",
            "--no-prompt-cache",
            "--input-tokens",
            "--max-new-tokens",
            "--model-type",
            "--min-input-tokens-len",
            "--max-input-tokens-len",
            "--min-output-tokens-len",
            "--max-output-tokens-len",
            "--max-length",
            "--input-len-mean",
            "--input-len-stddev",
            "--output-len-mean",
            "--output-len-stddev",
            "--random-input-len",
            "--random-output-len",
            "--random-range-ratio",
            "--random-prefix-len",
            "--prefix-groups",
            "--prompts-per-group",
            "--prefix-len",
            "--question-len",
            "--prefix-output-len",
            "--trace-block-tokens",
            "--trust-remote-code"));
    sections.put(
        "Load shape",
        List.of(
            "--request-rate",
            "--concurrency",
            "--max-concurrency",
            "--arrival",
            "--burstiness",
            "--ramp-up",
            "--ramp-up-strategy",
            "--ramp-up-start-rps",
            "--ramp-up-end-rps",
            "--duration",
            "--trace-time-scale",
            "--multi-turn",
            "--max-turns",
            "--think-time",
            "--seed",
            "--drain-timeout"));
    sections.put("Scale-out", List.of("--shard", "--start-at", "--processes"));
    sections.put(
        "Requests",
        List.of(
            "--stream",
            "--extra-body",
            "--request-id-prefix",
            "--temperature",
            "--top-p",
            "--top-k",
            "--do-sample",
            "--vllm-engine",
            "--continuous-usage",
            "--timeout",
            "--ttft-timeout",
            "--idle-timeout",
            "--max-response-bytes",
            "--retries",
            "--io-threads"));
    sections.put(
        "Measurement",
        List.of(
            "--server-metrics",
            "--no-server-metrics",
            "--server-metrics-interval",
            "--track-token-latency",
            "--warmup-requests",
            "--warmup",
            "--percentiles",
            "--percentile-metrics",
            "--goodput"));
    sections.put(
        "Output",
        List.of(
            "--results-dir",
            "--csv",
            "--track-input-output",
            "--label",
            "--metadata",
            "--quiet",
            "--progress",
            "--live-interval",
            "--disable-tqdm"));
    sections.put(
        "vLLM's result file",
        List.of(
            "--save-result",
            "--append-result",
            "--save-detailed",
            "--result-dir",
            "--result-filename"));
    sections.put("Help", List.of("--help", "--version"));
    return java.util.Collections.unmodifiableMap(sections);
  }

  @Spec CommandSpec spec;

  @Option(
      names = {"--model-endpoint-base", "--model_endpoint_base", "--base-url", "--base_url"},
      description = "Base URL of the server. Default: http://127.0.0.1:8000, or --host and --port.")
  String endpointBase;

  @Option(
      names = "--host",
      description = "vLLM's spelling: the server's host, for http://HOST:PORT. Default: 127.0.0.1.")
  String host;

  @Option(
      names = "--port",
      description = "vLLM's spelling: the server's port, for http://HOST:PORT. Default: 8000.")
  Integer port;

  @Option(
      names = {"--model-name", "--model_name", "--model"},
      description =
          "Model to benchmark. Default: the first model the server lists at /v1/models (OpenAI endpoints, TGI, SGLang); required for --simple and --endpoint-type triton.")
  String modelName;

  @Option(
      names = {"--endpoint-type", "--endpoint_type"},
      description =
          "Protocol: openai-chat, openai-completions, openai-embeddings (never streamed; no"
              + " tokens out), simple (LLM-on-Ray), tgi (Text Generation Inference's"
              + " /generate_stream and /generate), sglang (SGLang's /generate), triton (Triton's"
              + " /v2/models/<model>/generate_stream, TensorRT-LLM). Default: openai-chat.")
  String endpointType;

  @Option(
      names = "--backend",
      description =
          "vLLM's names for the protocol, with vLLM's meaning: vllm and openai (completions),"
              + " openai-chat, openai-embeddings, tgi, tensorrt-llm (triton), and sglang, lmdeploy,"
              + " scalellm, llama.cpp (completions, as vLLM sends them). Streams unless --no-stream;"
              + " with --dataset-name random it sends ignore_eos, as vLLM does.")
  String backend;

  @Option(
      names = "--simple",
      description = "Use LLM-on-Ray's simple endpoint (same as --endpoint-type simple).")
  boolean simple;

  @Option(
      names = {"--route", "--endpoint"},
      description =
          "Request path under the base URL instead of the protocol's own (the simple endpoint's"
              + " /<model-name>, /v1/chat/completions, ...), e.g. --endpoint /v1/completions.")
  String route;

  @Option(
      names = {"--api-key", "--api_key"},
      description =
          "Bearer token for the server. Default: the OPENAI_API_KEY environment variable. Never printed or written, but visible in the process list (ps) while the run lasts: OPENAI_API_KEY or --api-key-file keep it out.")
  String apiKey;

  @Option(
      names = "--header",
      paramLabel = "KEY=VALUE",
      showDefaultValue = Help.Visibility.NEVER,
      description =
          "A header field for every request (repeatable), also sent when listing the models, e.g. --header X-Tenant=acme. Replaces servebench's own Content-Type, Accept, User-Agent or Authorization (--api-key sends 'Authorization: Bearer KEY' for you); Host, Content-Length, Transfer-Encoding, Connection and the like are servebench's and refused. Values of fields named like Authorization, *key*, *token* or *secret* are never printed or written, but are visible in the process list (ps).")
  List<String> headers = List.of();

  @Option(
      names = {"--extra-body", "--extra_body"},
      paramLabel = "JSON",
      description =
          "A JSON object merged into every request body; its members override servebench's own (an object merges member by member, null removes a field: RFC 7396), e.g. '{\"chat_template_kwargs\": {\"enable_thinking\": false}}' or, for --simple, '{\"config\": {\"repetition_penalty\": 1.1}}'. stream is set by --stream / --no-stream only.")
  String extraBody;

  @Option(
      names = {"--request-id-prefix", "--request_id_prefix"},
      paramLabel = "P",
      description =
          "Send each request with the field x-request-id: P<index> (0, 1, ... in send order, warm-up requests included), so the server's logs name it.")
  String requestIdPrefix;

  @Option(
      names = {"--wait-for-server", "--wait_for_server"},
      paramLabel = "SECONDS",
      description =
          "Before the run, wait up to this long for the server to answer (OpenAI endpoints: GET /v1/models; the simple endpoint: a one-token request), asking every 0.5 s, instead of failing at once when nothing listens yet. Default: check once.")
  Double waitForServerSeconds;

  @Option(
      names = {"--server-metrics", "--server_metrics"},
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "URL",
      description =
          "Scrape the server's Prometheus metrics during the run (vLLM, SGLang, TGI, llama.cpp: running and waiting requests, KV-cache use, tokens/s), into the records, the summary and the reports. Without a URL: /metrics on the endpoint's host. Default: /metrics is probed once before the run and scraped if it answers.")
  String serverMetrics;

  @Option(
      names = {"--no-server-metrics", "--no_server_metrics"},
      description = "Neither probe nor scrape the server's metrics.")
  boolean noServerMetrics;

  @Option(
      names = {"--server-metrics-interval", "--server_metrics_interval"},
      paramLabel = "DURATION",
      description = "Time between scrapes of the server's metrics (e.g. 1s, 500ms). Default: 1s.")
  String serverMetricsInterval;

  @Option(
      names = "--tokenizer",
      description =
          "Tokenizer: a built-in encoding (r50k_base, p50k_base, cl100k_base, o200k_base), the path of a tokenizer.json or of a directory holding one, or a Hugging Face repository id (meta-llama/Llama-3.1-8B-Instruct) in the local cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub). Nothing is ever downloaded. Default: the tokenizer --model-config names, else the model's own, looked for the same way and in LLM-on-Ray's model files, else its family's built-in encoding (gpt-j-6b, gpt2: r50k_base).")
  String tokenizer;

  @Option(
      names = {"--model-config", "--model_config"},
      description =
          "An LLM-on-Ray model file (inference/models/*.yaml): its tokenizer_name_or_path is the tokenizer unless --tokenizer is given, its name the model unless --model-name is, its route_prefix the simple endpoint's route unless --route is.")
  Path modelConfig;

  @Option(
      names = {"--llm-on-ray", "--llm_on_ray"},
      description =
          "An LLM-on-Ray checkout (or its models directory) whose model file for the model names the tokenizer. Default: the current directory or the first one above it that is a checkout.")
  Path llmOnRay;

  @Option(
      names = {"--dataset", "--dataset-path", "--dataset_path"},
      description =
          "Dataset file (ShareGPT JSON, IPEX prompt.json, JSONL, or a Mooncake, Azure or BurstGPT trace).")
  Path dataset;

  @Option(
      names = {"--dataset-format", "--dataset_format", "--dataset-name", "--dataset_name"},
      description =
          "ShareGPT, IPEX, Synthesis (random prompts from the tokenizer's vocabulary), JSONL (vLLM's custom), Random (vLLM's random), SharedPrefix (SGLang's generated-shared-prefix), or a trace replayed at its own times: Mooncake, Azure, BurstGPT. Any case.")
  String datasetFormat = "ShareGPT";

  @Option(
      names = {"--num-prompts", "--num_prompts"},
      description =
          "Number of requests to send; a trace's rows to replay. Default: 1000; SharedPrefix: every prompt of the groups.")
  Integer numPrompts;

  @Option(
      names = {"--request-rate", "--request_rate"},
      description =
          "Requests per second, sent at Poisson arrivals; 'inf' sends all at once. Default: inf; a trace: its own times.")
  String requestRate;

  @Option(
      names = {"--max-concurrency", "--max_concurrency"},
      description = "Most requests in flight at once on top of the rate; 0 for no cap.")
  int maxConcurrency;

  @Option(
      names = "--concurrency",
      description =
          "A closed loop instead of a rate: keep N requests in flight, sending the next as soon as one ends.")
  int concurrency;

  @Option(
      names = "--shard",
      paramLabel = "I/N",
      description =
          "Send shard I of N of the plan (I from 1): the requests whose index is I-1 modulo N, at the times the whole plan gives them, with the rate and the concurrency divided. Run every shard with the same flags and --start-at; 'servebench merge' combines their results.")
  String shard;

  @Option(
      names = "--start-at",
      paramLabel = "TIME",
      description =
          "Start the plan at this wall-clock instant: ISO-8601 with an offset (2025-06-01T12:00:00Z) or milliseconds since the epoch. Shards of one plan share it.")
  String startAt;

  @Option(
      names = "--processes",
      paramLabel = "N",
      description =
          "Run the plan as N shards in N processes on this machine, started together, then merge their results into --results-dir (each shard's own in shards-<time>-<id>/shard-I-of-N/ under it).")
  Integer processes;

  @Option(
      names = {"--multi-turn", "--multi_turn"},
      description =
          "Replay each ShareGPT conversation as a session: its turns in order, each sent with the conversation so far when the previous answer ended. --num-prompts, --concurrency and --max-concurrency then count sessions.")
  boolean multiTurn;

  @Option(
      names = {"--max-turns", "--max_turns"},
      description = "With --multi-turn: most turns replayed of each conversation. Default: all.")
  Integer maxTurns;

  @Option(
      names = {"--think-time", "--think_time"},
      description =
          "With --multi-turn: seconds between an answer's end and the next turn. Default: 0.")
  Double thinkTimeSeconds;

  @Option(
      names = "--burstiness",
      description =
          "Shape of the gamma-distributed gaps: 1 is Poisson, below 1 burstier, above 1 more regular.")
  double burstiness = 1.0;

  @Option(
      names = "--arrival",
      description = "Gap distribution: gamma (Poisson at --burstiness 1) or constant.")
  String arrival = "gamma";

  @Option(
      names = {"--ramp-up", "--ramp_up"},
      description = "Raise the rate linearly from 0 to --request-rate over this long (e.g. 60s).")
  String rampUp;

  @Option(
      names = {"--ramp-up-strategy", "--ramp_up_strategy"},
      description =
          "vLLM's ramp over the requests instead of a fixed --request-rate: linear or exponential,"
              + " from --ramp-up-start-rps at the first request to --ramp-up-end-rps at the last.")
  String rampUpStrategy;

  @Option(
      names = {"--ramp-up-start-rps", "--ramp_up_start_rps"},
      description = "With --ramp-up-strategy: requests per second at the first request.")
  Integer rampUpStartRps;

  @Option(
      names = {"--ramp-up-end-rps", "--ramp_up_end_rps"},
      description = "With --ramp-up-strategy: requests per second at the last request.")
  Integer rampUpEndRps;

  @Option(
      names = "--duration",
      description =
          "Send for this long (e.g. 5m) instead of --num-prompts requests, cycling the prompts.")
  String duration;

  @Option(
      names = {"--warmup-requests", "--warmup_requests", "--num-warmups", "--num_warmups"},
      description =
          "Extra first requests that are recorded but left out of the statistics (sent at the"
              + " plan's rate, where vLLM's --num-warmups sends them before it).")
  int warmupRequests;

  @Option(
      names = "--warmup",
      description =
          "A first span (e.g. 30s) whose requests are recorded but left out of the statistics.")
  String warmup;

  @Option(
      names = {"--drain-timeout", "--drain_timeout"},
      description =
          "After Ctrl-C or SIGTERM, seconds requests in flight may take to finish before they are cancelled.")
  double drainSeconds = 5;

  @Option(
      names = "--seed",
      description = "Seed for prompt sampling, synthetic prompts and arrival times.")
  long seed;

  @Option(
      names = "--timeout",
      description = "Seconds a request may take in all before it fails as a timeout.")
  double timeoutSeconds = 600;

  @Option(
      names = {"--ttft-timeout", "--ttft_timeout"},
      description =
          "Seconds to wait for the first token before failing (default: no limit but --timeout).")
  Double ttftTimeoutSeconds;

  @Option(
      names = {"--idle-timeout", "--idle_timeout"},
      description =
          "Seconds a response may go silent between chunks before failing (default: no limit but --timeout).")
  Double idleTimeoutSeconds;

  @Option(
      names = {"--max-response-bytes", "--max_response_bytes"},
      description = "A response larger than this fails as response_too_large.")
  long maxResponseBytes = 64L << 20;

  @Option(
      names = "--retries",
      description =
          "Send a failed request again up to N times (honouring Retry-After). Off by default: failures are the measurement.")
  int retries;

  @Option(
      names = {"--api-key-file", "--api_key_file"},
      description = "Read the bearer token from this file (first line).")
  Path apiKeyFile;

  @Option(
      names = "--insecure",
      description = "https: accept any certificate and host name. Printed in the report.")
  boolean insecure;

  @Option(
      names = {"--ca-cert", "--ca_cert"},
      description = "https: trust the CA certificates in this PEM file instead of the JDK's.")
  Path caCert;

  @Option(
      names = {"--percentiles", "--metric-percentiles", "--metric_percentiles"},
      split = ",",
      description =
          "Percentiles the console shows for each latency and vLLM's result file holds (the"
              + " summary JSON always has the full histogram); the console always shows the mean and"
              + " median first, 50 being the median.")
  List<Double> percentiles = List.of(50.0, 99.0);

  @Option(
      names = {"--percentile-metrics", "--percentile_metrics"},
      split = ",",
      description =
          "The latencies the console's serving table shows and vLLM's result file holds, in order:"
              + " ttft, tpot, itl, e2el, client_queue_time (schedule lag),"
              + " e2el_including_client_queue (queue-inclusive E2E). Default: ttft,tpot,itl,e2el.")
  List<String> percentileMetrics;

  @Option(
      names = "--goodput",
      arity = "1..*",
      description =
          "Service-level objectives in ms, e.g. ttft:200 tpot:50 e2el:5000 (also itl): reports the rate and share of requests meeting all.")
  List<String> goodput = List.of();

  @Option(
      names = {"--track-token-latency", "--track_token_latency"},
      description =
          "Stream responses and measure first-token and inter-token latency (as the original).")
  boolean trackTokenLatency;

  @Option(
      names = "--stream",
      negatable = true,
      description =
          "Ask for streamed responses (--no-stream: one response per request). Default: on with --track-token-latency.")
  Boolean stream;

  @Option(
      names = {"--track-input-output", "--track_input_output"},
      description = "Keep each prompt and generated text in the records file.")
  boolean trackInputOutput;

  @Option(
      names = {"--results-dir", "--results_dir"},
      description =
          "Directory for the summary JSON, the per-request records (JSONL) and the HTML report.")
  Path resultsDir;

  @Option(
      names = "--csv",
      description = "Also write the per-request records and the summary as CSV into --results-dir.")
  boolean csv;

  @Option(
      names = {"--save-result", "--save_result"},
      description =
          "Write vLLM's bench serve result JSON (its keys and file name), for the scripts that read"
              + " vLLM's results.")
  boolean saveResult;

  @Option(
      names = {"--append-result", "--append_result"},
      description = "Like --save-result, but add the result as a new line of the file.")
  boolean appendResult;

  @Option(
      names = {"--save-detailed", "--save_detailed"},
      description =
          "Add vLLM's per-request lists to its result file (input_lens, output_lens, ttfts, itls,"
              + " latencies, start_times, generated_texts, errors); keeps the texts.")
  boolean saveDetailed;

  @Option(
      names = {"--result-dir", "--result_dir"},
      description =
          "Directory of vLLM's result file (not --results-dir's files). Default: the working"
              + " directory.")
  Path resultDir;

  @Option(
      names = {"--result-filename", "--result_filename"},
      description =
          "Name of vLLM's result file. Default: vLLM's"
              + " <label>-<rate>qps[-concurrency<N>]-<model>-<date>.json.")
  String resultFilename;

  @Option(
      names = "--label",
      description =
          "A short name for the run, kept in its summary and shown wherever runs are listed (the"
              + " reports, compare); the first part of its file names and of vLLM's result file"
              + " name (and that file's label key, which defaults to --backend).")
  String label;

  @Option(
      names = "--metadata",
      paramLabel = "KEY=VALUE",
      showDefaultValue = Help.Visibility.NEVER,
      description =
          "A note kept with the run and shown wherever runs are listed (repeatable), e.g."
              + " --metadata gpu=H100 --metadata server=vllm-0.6.3.")
  List<String> metadata = List.of();

  @Option(
      names = {"--ready-check-timeout-sec", "--ready_check_timeout_sec"},
      description =
          "vLLM's spelling of --wait-for-server, in whole seconds; 0 checks once (the default).")
  Integer readyCheckTimeoutSeconds;

  @Option(
      names = {"--disable-tqdm", "--disable_tqdm"},
      description =
          "vLLM's switch for its progress bar: no live view (servebench's other lines stay; --quiet"
              + " hides them too).")
  boolean disableTqdm;

  @Option(
      names = {"-q", "--quiet"},
      description =
          "No live view and no informational lines on stderr; warnings, errors and the report stay.")
  boolean quiet;

  @Option(
      names = "--live-interval",
      description =
          "When stderr is not a terminal (a pipe, a CI log): print the live line this often (e.g. 10s, 500ms). Default: 10s.")
  String liveInterval;

  @Option(
      names = "--progress",
      description =
          "The live view as a plain line every second, even on a terminal (--live-interval 1s in line mode).")
  boolean progress;

  @Option(
      names = {"--io-threads", "--io_threads"},
      description = "Network threads of the client.")
  int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));

  @Option(
      names = {"--input-tokens", "--input_tokens"},
      description = "IPEX: input length of the prompt to send.")
  int inputTokens = 32;

  @Option(
      names = {"--max-new-tokens", "--max_new_tokens"},
      description = {
        "Tokens to ask for in every request (max_new_tokens / max_tokens), whatever the dataset,",
        "as the seed script did. Default: each prompt's own length (ShareGPT: its completion's;",
        "Synthesis: the drawn output length; IPEX: as many as the prompt has)."
      })
  Integer maxNewTokens;

  @Option(
      names = {"--model-type", "--model_type"},
      description = "IPEX: model type whose prompt to send.")
  String modelType = "llama";

  @Option(
      names = {"--min-input-tokens-len", "--min_input_tokens_len"},
      description = "ShareGPT: drop prompts shorter than this.")
  Integer minInputTokens = 4;

  @Option(
      names = {"--max-input-tokens-len", "--max_input_tokens_len"},
      description = "ShareGPT: drop prompts longer than this.")
  Integer maxInputTokens = 1024;

  @Option(
      names = {"--min-output-tokens-len", "--min_output_tokens_len"},
      description = "ShareGPT: drop completions shorter than this.")
  Integer minOutputTokens = 4;

  @Option(
      names = {"--max-output-tokens-len", "--max_output_tokens_len"},
      description = "ShareGPT: drop completions longer than this. Default: no bound, as the seed.")
  Integer maxOutputTokens;

  @Option(
      names = {"--max-length", "--max_length"},
      description = "ShareGPT: drop pairs whose prompt + completion is longer than this.")
  Integer maxLength = 2048;

  @Option(
      names = {"--input-len-mean", "--input_len_mean"},
      description = "Synthesis: mean prompt length (tokens, normal distribution).")
  double inputLenMean = 32;

  @Option(
      names = {"--input-len-stddev", "--input_len_stddev"},
      description = "Synthesis: standard deviation of the prompt length.")
  double inputLenStddev = 8;

  @Option(
      names = {"--output-len-mean", "--output_len_mean"},
      description = "Synthesis: mean output length (tokens, normal distribution).")
  double outputLenMean = 128;

  @Option(
      names = {"--output-len-stddev", "--output_len_stddev"},
      description = "Synthesis: standard deviation of the output length.")
  double outputLenStddev = 32;

  @Option(
      names = {"--random-input-len", "--random_input_len"},
      description = "Random: mean prompt length (tokens), not counting --random-prefix-len.")
  int randomInputLen = 1024;

  @Option(
      names = {"--random-output-len", "--random_output_len"},
      description = "Random: mean output length (tokens).")
  int randomOutputLen = 128;

  @Option(
      names = {"--random-range-ratio", "--random_range_ratio"},
      description =
          "Random: lengths drawn uniformly from [len * (1 - R), len * (1 + R)], R in [0, 1); 0 for fixed lengths (as vLLM).")
  double randomRangeRatio;

  @Option(
      names = {"--random-prefix-len", "--random_prefix_len"},
      description =
          "Random: tokens of one prefix every prompt starts with (prefix caching); 0 for none.")
  int randomPrefixLen;

  @Option(
      names = {"--prefix-groups", "--prefix_groups", "--gsp-num-groups", "--gsp_num_groups"},
      description = "SharedPrefix: groups, each with its own system prompt.")
  int prefixGroups = 64;

  @Option(
      names = {
        "--prompts-per-group",
        "--prompts_per_group",
        "--gsp-prompts-per-group",
        "--gsp_prompts_per_group"
      },
      description = "SharedPrefix: prompts in each group, all starting with its system prompt.")
  int promptsPerGroup = 16;

  @Option(
      names = {
        "--prefix-len",
        "--prefix_len",
        "--gsp-system-prompt-len",
        "--gsp_system_prompt_len"
      },
      description = "SharedPrefix: tokens of each group's system prompt.")
  int systemPromptLen = 2048;

  @Option(
      names = {"--question-len", "--question_len", "--gsp-question-len", "--gsp_question_len"},
      description = "SharedPrefix: tokens each prompt adds after its group's system prompt.")
  int questionLen = 128;

  @Option(
      names = {
        "--prefix-output-len",
        "--prefix_output_len",
        "--gsp-output-len",
        "--gsp_output_len"
      },
      description = "SharedPrefix: output length (tokens).")
  int sharedPrefixOutputLen = 256;

  @Option(
      names = {
        "--trace-time-scale",
        "--trace_time_scale",
        "--mooncake-slowdown-factor",
        "--mooncake_slowdown_factor"
      },
      description =
          "A trace's times are multiplied by this: 0.5 replays it twice as fast, 2 at half speed. Default: 1.")
  Double traceTimeScale;

  @Option(
      names = {"--trace-block-tokens", "--trace_block_tokens"},
      description = "Mooncake: tokens per hash_ids block (the prefix blocks rows share).")
  int traceBlockTokens = 512;

  @Option(
      names = "--temperature",
      description = "Sampling temperature (sent only when given; 0 is sent as 0).")
  Double temperature;

  @Option(
      names = {"--top-p", "--top_p"},
      description = "Nucleus sampling (sent only when given).")
  Double topP;

  @Option(
      names = {"--top-k", "--top_k"},
      description = "Top-k sampling (sent only when given; 0 is sent as 0).")
  Integer topK;

  @Option(
      names = {"--do-sample", "--do_sample"},
      description =
          "Simple endpoint: sample instead of greedy decoding (do_sample is always sent there, false without this flag, as the seed sent it).")
  Boolean doSample;

  @Option(
      names = {"--trust-remote-code", "--trust_remote_code"},
      description =
          "Accepted so the seed script's command lines run; changes nothing here (servebench runs no code from a model's repository).")
  boolean trustRemoteCode;

  @Option(
      names = {"--vllm-engine", "--vllm_engine", "--ignore-eos", "--ignore_eos"},
      description =
          "The server runs vLLM: send ignore_eos so every request generates its full length.")
  boolean vllmEngine;

  @Option(
      names = {"--prompt-cache", "--prompt_cache"},
      description =
          "Directory that keeps prepared prompts, keyed by dataset file hash, settings and tokenizer, so the next run starts at once. Default: $XDG_CACHE_HOME/servebench or ~/.cache/servebench.")
  Path promptCache;

  @Option(
      names = {"--no-prompt-cache", "--no_prompt_cache"},
      description = "Prepare the prompts afresh and keep nothing.")
  boolean noPromptCache;

  @Option(
      names = {"--no-chat-template", "--no_chat_template"},
      description =
          "On openai-chat, count each prompt's tokens on its bare text instead of as the model's chat template (tokenizer_config.json beside the tokenizer.json) renders it, with BOS, role headers and the generation prompt, as the server does.")
  boolean noChatTemplate;

  @Option(
      names = {"--continuous-usage", "--continuous_usage"},
      description =
          "OpenAI streams: ask for running token counts in every event (vLLM's stream_options.continuous_usage_stats), so tokens per chunk come from the server instead of the local tokenizer.")
  boolean continuousUsage;

  /** The environment the run reads: the API key, the Hugging Face cache's variables. */
  Map<String, String> environment = System.getenv();

  /** Whether standard error is a terminal, which can show the live view's block. */
  boolean stderrTerminal;

  /** The command line as given, after {@code run}: {@code --processes} gives it to its shards. */
  List<String> arguments = List.of();

  /** The plain line's interval unless {@code --live-interval} says otherwise. */
  private static final Duration DEFAULT_LIVE_INTERVAL = Duration.ofSeconds(10);

  @Override
  public Integer call() throws Exception {
    if (processes != null) {
      return launchShards();
    }
    RunConfig config = toConfig();
    if (apiKey != null) {
      spec.commandLine()
          .getErr()
          .println(
              "servebench: note: --api-key is visible to every user of this machine in the process"
                  + " list (ps) for the whole run; OPENAI_API_KEY or --api-key-file keep it out");
    }
    List<String> secretHeaders =
        config.endpoint().headers().secretFields().stream()
            .map(RequestHeaders.Field::name)
            .toList();
    if (!secretHeaders.isEmpty()) {
      spec.commandLine()
          .getErr()
          .println(
              "servebench: note: the value of --header "
                  + String.join(", ", secretHeaders)
                  + " is visible to every user of this machine in the process list (ps) for the"
                  + " whole run, though never printed or written"
                  + (config.endpoint().headers().has("Authorization")
                      ? "; for a bearer token, --api-key-file or OPENAI_API_KEY keep it out"
                      : ""));
    }
    RunControl control = new RunControl();
    // One stderr for the run's messages and the signal handler's, so that while the live view
    // draws its block they are printed above it, not into it.
    LiveLog log = LiveLog.over(spec.commandLine().getErr());
    try (Interrupts interrupts = Interrupts.install(control, log)) {
      return Benchmark.execute(config, control, spec.commandLine().getOut(), log).exitCode();
    }
  }

  /**
   * {@code --processes N}: the settings are checked here once (as shard 1 of N), then N shards of
   * this command line run in processes of their own and their results are merged.
   */
  private int launchShards() throws Exception {
    if (processes < 1 || processes > LocalShards.MAX_PROCESSES) {
      throw new InvalidInputException(
          "--processes must be 1 to " + LocalShards.MAX_PROCESSES + ", got " + processes);
    }
    if (shard != null) {
      throw new InvalidInputException(
          "--processes N runs shards 1/N to N/N itself, and --shard names one: give one of them");
    }
    if (resultsDir == null) {
      throw new InvalidInputException(
          "--processes writes each shard's records under the results directory and merges them"
              + " there: add --results-dir DIR");
    }
    shard = "1/" + processes;
    RunConfig config = toConfig();
    RunControl control = new RunControl();
    LiveLog log = LiveLog.over(spec.commandLine().getErr());
    try (Interrupts interrupts = Interrupts.install(control, log)) {
      return LocalShards.run(
          new LocalShards.Launch(LocalShards.shardArguments(arguments), processes, config),
          control,
          spec.commandLine().getOut(),
          log);
    }
  }

  RunConfig toConfig() {
    if (backend != null && endpointType != null) {
      throw new InvalidInputException(
          "--backend (vLLM's name) and --endpoint-type both name the protocol: give one of them");
    }
    EndpointType type =
        backend != null
            ? EndpointType.ofVllmBackend(backend)
            : EndpointType.parse(
                endpointType == null ? EndpointType.OPENAI_CHAT.flagValue() : endpointType);
    if (simple) {
      if (backend != null || (type != EndpointType.OPENAI_CHAT && type != EndpointType.SIMPLE)) {
        throw new InvalidInputException(
            "--simple contradicts --"
                + (backend != null ? "backend " + backend : "endpoint-type " + endpointType)
                + ": give one of them");
      }
      type = EndpointType.SIMPLE;
    }
    DatasetFormat format = DatasetFormat.parse(datasetFormat);
    // vLLM sends ignore_eos for its random dataset so that every request generates the length it
    // asks for; a vLLM command line keeps that meaning.
    boolean ignoreEos =
        vllmEngine
            || (backend != null
                && format == DatasetFormat.RANDOM
                && (type == EndpointType.OPENAI_COMPLETIONS || type == EndpointType.OPENAI_CHAT));
    if (format.readsFile() && dataset == null) {
      throw new InvalidInputException(
          "--dataset is required for --dataset-format "
              + format.displayName()
              + " (or use --dataset-format Synthesis, Random or SharedPrefix, which need no file)");
    }
    if (requestRate != null && traceTimeScale != null) {
      throw new InvalidInputException(
          "--trace-time-scale scales a trace's own times, and --request-rate replaces them: give"
              + " one of them");
    }
    // A trace is replayed at its own times unless a rate or a closed loop is asked for; then its
    // rows are prompts like any other dataset's.
    Double timeScale =
        format.isTrace() && requestRate == null && concurrency == 0
            ? (traceTimeScale == null ? Double.valueOf(1.0) : traceTimeScale)
            : traceTimeScale;
    if (insecure && caCert != null) {
      throw new InvalidInputException(
          "--insecure trusts every certificate, so --ca-cert means nothing with it: give one of them");
    }
    if (caCert != null && !Files.isReadable(caCert)) {
      throw new InvalidInputException(
          "--ca-cert " + caCert + " cannot be read: give the path of a PEM file");
    }
    LlmOnRayModel model = modelConfig == null ? null : LlmOnRayModel.read(modelConfig);
    TokenizerLocations locations =
        TokenizerLocations.withEnvironment(environment).withLlmOnRayCheckout(llmOnRay);
    DatasetOptions options =
        DatasetOptions.builder()
            .dataset(dataset)
            .numPrompts(numPrompts != null ? numPrompts : defaultNumPrompts(format))
            .seed(seed)
            .minInputTokens(minInputTokens)
            .maxInputTokens(maxInputTokens)
            .minOutputTokens(minOutputTokens)
            .maxOutputTokens(maxOutputTokens)
            .maxLength(maxLength)
            .modelType(modelType)
            .inputTokens(inputTokens)
            .maxNewTokens(maxNewTokens)
            .inputLenMean(inputLenMean)
            .inputLenStddev(inputLenStddev)
            .outputLenMean(outputLenMean)
            .outputLenStddev(outputLenStddev)
            .randomInputLen(randomInputLen)
            .randomOutputLen(randomOutputLen)
            .randomRangeRatio(randomRangeRatio)
            .randomPrefixLen(randomPrefixLen)
            .prefixGroups(prefixGroups)
            .promptsPerGroup(promptsPerGroup)
            .systemPromptLen(systemPromptLen)
            .questionLen(questionLen)
            .sharedPrefixOutputLen(sharedPrefixOutputLen)
            .traceBlockTokens(traceBlockTokens)
            .build();
    RequestHeaders headerFields = RequestHeaders.parse(headers);
    // A user's own Authorization field wins over OPENAI_API_KEY; over a key given by flag it is a
    // contradiction, which RunConfig refuses.
    String key =
        headerFields.has("Authorization") && apiKey == null && apiKeyFile == null
            ? null
            : ApiKeys.resolve(apiKey, apiKeyFile, environment.get("OPENAI_API_KEY"));
    RunConfig.Endpoint endpoint =
        new RunConfig.Endpoint(
            target(),
            type,
            route == null && model != null && type == EndpointType.SIMPLE ? model.route() : route,
            modelName == null && model != null ? model.name() : modelName,
            key,
            new TlsOptions(insecure, caCert),
            stream != null ? stream : trackTokenLatency || (backend != null && type.streams()),
            headerFields,
            extraBody == null ? ExtraBody.NONE : ExtraBody.parse(extraBody),
            requestIdPrefix,
            waitForServer());
    RunConfig.Load load =
        new RunConfig.Load(
            requestRate == null ? Double.POSITIVE_INFINITY : parseRate(requestRate),
            parseArrival(arrival),
            burstiness,
            new RunConfig.RampUp(
                nanos("--ramp-up", rampUp, 0), rateRamp(options.numPrompts() + warmupRequests)),
            concurrency,
            maxConcurrency,
            nanos("--duration", duration, -1),
            warmupRequests,
            nanos("--warmup", warmup, 0),
            seconds("--drain-timeout", drainSeconds, true),
            timeScale,
            multiTurn());
    RunConfig.Limits limits =
        new RunConfig.Limits(
            seconds("--timeout", timeoutSeconds, false),
            ttftTimeoutSeconds == null
                ? null
                : seconds("--ttft-timeout", ttftTimeoutSeconds, false),
            idleTimeoutSeconds == null
                ? null
                : seconds("--idle-timeout", idleTimeoutSeconds, false),
            maxResponseBytes,
            retries,
            ioThreads);
    return new RunConfig(
        endpoint,
        new RunConfig.Prompts(
            format,
            options,
            tokenizer,
            model,
            locations,
            noPromptCache
                ? null
                : promptCache != null ? promptCache : RunConfig.Prompts.defaultCacheDirectory(),
            !noChatTemplate),
        load,
        limits,
        new RunConfig.Sampling(temperature, topP, topK, doSample, ignoreEos, continuousUsage),
        new RunConfig.Output(
            resultsDir,
            csv,
            trackInputOutput,
            live(),
            quiet,
            checkPercentiles(percentiles),
            Goodput.parse(goodput),
            percentileMetrics == null ? null : PercentileMetric.parse(percentileMetrics),
            vllmResult(),
            backend),
        new RunConfig.Sharding(
            shard == null ? null : Shard.parse(shard),
            startAt == null ? null : StartTime.parse(startAt, Instant.now())),
        new RunConfig.Identity(label, RunConfig.Identity.parseMetadata(metadata)),
        serverMetrics());
  }

  /**
   * {@code --server-metrics [URL]}, {@code --no-server-metrics}, {@code --server-metrics-interval}.
   */
  private RunConfig.ServerMetrics serverMetrics() {
    if (noServerMetrics && serverMetrics != null) {
      throw new InvalidInputException(
          "--server-metrics and --no-server-metrics contradict each other: give one of them");
    }
    Duration interval =
        serverMetricsInterval == null
            ? RunConfig.ServerMetrics.DEFAULT_INTERVAL
            : DurationParser.parse("--server-metrics-interval", serverMetricsInterval);
    if (noServerMetrics) {
      return new RunConfig.ServerMetrics(RunConfig.ServerMetrics.Mode.OFF, null, interval);
    }
    if (serverMetrics == null) {
      return new RunConfig.ServerMetrics(RunConfig.ServerMetrics.Mode.AUTO, null, interval);
    }
    URI url = null;
    if (!serverMetrics.isBlank()) {
      try {
        url = new URI(serverMetrics.strip());
      } catch (URISyntaxException bad) {
        throw new InvalidInputException(
            "--server-metrics '"
                + serverMetrics
                + "' is not a URL: "
                + bad.getReason()
                + " (expected e.g. http://127.0.0.1:8000/metrics)");
      }
    }
    return new RunConfig.ServerMetrics(RunConfig.ServerMetrics.Mode.ON, url, interval);
  }

  /**
   * The server: {@code --model-endpoint-base} ({@code --base-url}), or vLLM's {@code --host} and
   * {@code --port}, which vLLM joins into {@code http://HOST:PORT}.
   */
  private HttpTarget target() {
    if (endpointBase != null) {
      if (host != null || port != null) {
        throw new InvalidInputException(
            "--base-url (--model-endpoint-base) and --host/--port both name the server: give one"
                + " of them");
      }
      return HttpTarget.parse(endpointBase);
    }
    if (host == null && port == null) {
      return HttpTarget.parse("http://127.0.0.1:8000");
    }
    String hostName = host == null ? "127.0.0.1" : host.strip();
    if (hostName.isEmpty()) {
      throw new InvalidInputException("--host is empty: give a host name or address");
    }
    // An IPv6 address goes in brackets, as vLLM's join_host_port writes it.
    String authority =
        (hostName.contains(":") && !hostName.startsWith("[") ? "[" + hostName + "]" : hostName)
            + ":"
            + (port == null ? 8000 : port);
    return HttpTarget.parse("--host/--port", "http://" + authority);
  }

  /** {@code --wait-for-server}, or vLLM's {@code --ready-check-timeout-sec}; zero checks once. */
  private Duration waitForServer() {
    if (readyCheckTimeoutSeconds != null) {
      if (waitForServerSeconds != null) {
        throw new InvalidInputException(
            "--ready-check-timeout-sec (vLLM's) and --wait-for-server both set the wait for the"
                + " server: give one of them");
      }
      if (readyCheckTimeoutSeconds < 0) {
        throw new InvalidInputException(
            "--ready-check-timeout-sec must be 0 (check once) or more seconds, got "
                + readyCheckTimeoutSeconds);
      }
      return Duration.ofSeconds(readyCheckTimeoutSeconds);
    }
    return waitForServerSeconds == null
        ? Duration.ZERO
        : seconds("--wait-for-server", waitForServerSeconds, false);
  }

  /** vLLM's ramp over the {@code planned} requests, or {@code null} without its flags. */
  private RateRamp rateRamp(int planned) {
    if (rampUpStrategy == null) {
      if (rampUpStartRps != null || rampUpEndRps != null) {
        throw new InvalidInputException(
            "--ramp-up-start-rps and --ramp-up-end-rps shape a ramp: add --ramp-up-strategy linear"
                + " or exponential, or drop them");
      }
      return null;
    }
    RateRamp.Strategy strategy = RateRamp.Strategy.parse(rampUpStrategy);
    if (rampUpStartRps == null || rampUpEndRps == null) {
      throw new InvalidInputException(
          "--ramp-up-strategy needs both --ramp-up-start-rps and --ramp-up-end-rps (requests per"
              + " second at the first and the last request)");
    }
    return new RateRamp(strategy, rampUpStartRps, rampUpEndRps, planned);
  }

  /** vLLM's result file, or {@code null} when neither --save-result nor --append-result asks. */
  private VllmResultJson.Options vllmResult() {
    if (processes == null && shard != null && (saveResult || appendResult || saveDetailed)) {
      // Each shard would write the whole plan's file from its share of the requests.
      throw new InvalidInputException(
          "--save-result, --append-result and --save-detailed write vLLM's file for a whole run,"
              + " and --shard sends a share of it: merge the shards ('servebench merge'), then"
              + " report the merged run, or use --processes N, which writes vLLM's file from the"
              + " merge");
    }
    if (processes != null && saveDetailed) {
      throw new InvalidInputException(
          "--save-detailed with --processes: vLLM's per-request lists are not merged from the"
              + " shards; drop --save-detailed (the merged records file holds every request)");
    }
    if (!saveResult && !appendResult) {
      if (saveDetailed || resultDir != null || resultFilename != null) {
        throw new InvalidInputException(
            "--save-detailed, --result-dir and --result-filename shape vLLM's result file: add"
                + " --save-result (or --append-result), or drop them");
      }
      return null;
    }
    return new VllmResultJson.Options(appendResult, saveDetailed, resultDir, resultFilename, label);
  }

  /**
   * The live view: a block redrawn in place on a terminal (not {@code TERM=dumb}), a plain line
   * every {@code --live-interval} elsewhere, a line every second with {@code --progress}, nothing
   * with {@code --quiet}.
   */
  private RunConfig.Live live() {
    if (quiet && (progress || liveInterval != null)) {
      throw new InvalidInputException(
          (progress ? "--progress" : "--live-interval")
              + " shows progress and --quiet hides it: give one of them");
    }
    if (progress && liveInterval != null) {
      throw new InvalidInputException(
          "--progress is a line every second and --live-interval sets another interval: give one"
              + " of them");
    }
    Duration interval =
        progress
            ? Duration.ofSeconds(1)
            : liveInterval == null
                ? DEFAULT_LIVE_INTERVAL
                : DurationParser.parse("--live-interval", liveInterval);
    if (!interval.isPositive()) {
      throw new InvalidInputException(
          "--live-interval must be longer than 0 (e.g. 10s, 500ms), got " + liveInterval);
    }
    String term = environment.get("TERM");
    boolean capable = stderrTerminal && term != null && !term.isBlank() && !term.equals("dumb");
    LiveView.Mode mode =
        quiet || (disableTqdm && !progress && liveInterval == null)
            ? LiveView.Mode.OFF
            : capable && !progress ? LiveView.Mode.BLOCK : LiveView.Mode.LINES;
    return new RunConfig.Live(mode, interval);
  }

  /** The session settings with {@code --multi-turn}; its knobs without it are refused. */
  private RunConfig.MultiTurn multiTurn() {
    if (!multiTurn) {
      if (maxTurns != null || thinkTimeSeconds != null) {
        throw new InvalidInputException(
            "--max-turns and --think-time shape multi-turn sessions: add --multi-turn or drop"
                + " them");
      }
      return null;
    }
    return new RunConfig.MultiTurn(
        maxTurns == null ? Integer.MAX_VALUE : maxTurns,
        seconds("--think-time", thinkTimeSeconds == null ? 0 : thinkTimeSeconds, true));
  }

  /** SharedPrefix sends every prompt of its groups, as SGLang does; the rest 1000 requests. */
  private int defaultNumPrompts(DatasetFormat format) {
    if (format == DatasetFormat.SHARED_PREFIX && prefixGroups > 0 && promptsPerGroup > 0) {
      return (int) Math.min(Integer.MAX_VALUE, (long) prefixGroups * promptsPerGroup);
    }
    return 1000;
  }

  private static RunConfig.Arrival parseArrival(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "gamma", "poisson" -> RunConfig.Arrival.GAMMA;
      case "constant" -> RunConfig.Arrival.CONSTANT;
      default ->
          throw new InvalidInputException(
              "--arrival '" + value + "': use gamma (Poisson with --burstiness 1) or constant");
    };
  }

  static List<Double> checkPercentiles(List<Double> levels) {
    for (double level : levels) {
      if (!(level > 0 && level < 100)) {
        throw new InvalidInputException(
            "--percentiles (--metric-percentiles) takes levels between 0 and 100 (e.g."
                + " 50,90,99,99.9), got "
                + level);
      }
    }
    return List.copyOf(levels);
  }

  private static long nanos(String flag, String text, long absent) {
    return text == null ? absent : DurationParser.parse(flag, text).toNanos();
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
          "--request-rate '"
              + value
              + "' is not a number: give requests per second (e.g. 10) or 'inf'");
    }
  }

  static Duration seconds(String flag, double seconds, boolean zeroAllowed) {
    if (!(zeroAllowed ? seconds >= 0 : seconds > 0) || Double.isInfinite(seconds)) {
      throw new InvalidInputException(
          flag
              + " must be a "
              + (zeroAllowed ? "" : "positive ")
              + "number of seconds, got "
              + seconds);
    }
    return Duration.ofNanos((long) (seconds * 1e9));
  }
}
