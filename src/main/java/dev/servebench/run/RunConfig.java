package dev.servebench.run;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.RequestHeaders;
import dev.servebench.config.TlsOptions;
import dev.servebench.dataset.DatasetFormat;
import dev.servebench.dataset.DatasetOptions;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.endpoint.ExtraBody;
import dev.servebench.error.InvalidInputException;
import dev.servebench.report.LiveView;
import dev.servebench.report.PercentileMetric;
import dev.servebench.report.VllmResultJson;
import dev.servebench.schedule.RateRamp;
import dev.servebench.schedule.Shard;
import dev.servebench.tokenizer.LlmOnRayModel;
import dev.servebench.tokenizer.TokenizerLocations;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of one benchmark run, checked once, here, with messages that name the flag. The
 * command line only collects flags into these records.
 */
public record RunConfig(
    Endpoint endpoint,
    Prompts prompts,
    Load load,
    Limits limits,
    Sampling sampling,
    Output output,
    Sharding sharding,
    Identity identity,
    ServerMetrics serverMetrics) {

  /** Checks what depends on more than one group of settings. */
  public RunConfig {
    sharding = sharding == null ? Sharding.NONE : sharding;
    identity = identity == null ? Identity.NONE : identity;
    Shard shard = sharding.shard();
    if (!shard.whole()) {
      if (load.closedLoop() && load.concurrency() < shard.count()) {
        throw new InvalidInputException(
            "--concurrency "
                + load.concurrency()
                + " cannot be split into "
                + shard.count()
                + " shards (each needs a stream of its own): raise --concurrency to at least "
                + shard.count()
                + " or use fewer shards");
      }
      if (load.maxConcurrency() > 0 && load.maxConcurrency() < shard.count()) {
        throw new InvalidInputException(
            "--max-concurrency "
                + load.maxConcurrency()
                + " cannot be split into "
                + shard.count()
                + " shards (each needs a slot of its own): raise --max-concurrency to at least "
                + shard.count()
                + ", drop it, or use fewer shards");
      }
    }
    if (load.sessions() && prompts.format() != DatasetFormat.SHAREGPT) {
      throw new InvalidInputException(
          "--multi-turn replays conversations, which only --dataset-format ShareGPT holds: pass a"
              + " ShareGPT file or drop --multi-turn");
    }
    if (load.sessions() && endpoint.type() == EndpointType.OPENAI_EMBEDDINGS) {
      throw new InvalidInputException(
          "--multi-turn replays a conversation with the server's answers, and --endpoint-type"
              + " openai-embeddings answers none: drop --multi-turn, or use a generating endpoint"
              + " type");
    }
    if (load.followsTrace()) {
      if (!prompts.format().isTrace()) {
        throw new InvalidInputException(
            "--trace-time-scale scales a trace's own times: use it with --dataset-format Mooncake,"
                + " Azure or BurstGPT, or drop it");
      }
      int rows = prompts.dataset().numPrompts();
      if (load.warmupRequests() >= rows) {
        throw new InvalidInputException(
            "--warmup-requests "
                + load.warmupRequests()
                + " leaves none of the trace's "
                + rows
                + " rows (--num-prompts) to measure: a trace's warm-up requests are its first"
                + " rows; lower --warmup-requests or raise --num-prompts");
      }
    }
  }

  /**
   * The server and how to talk to it.
   *
   * @param route the simple endpoint's route instead of {@code /<model>}, or {@code null}
   * @param modelName the model, or {@code null} to ask an OpenAI server's {@code /v1/models}
   * @param apiKey sent as a bearer token; never printed or written
   * @param headers sent with every request, and with the model listing and readiness probes
   * @param extraBody merged into every request body
   * @param requestIdPrefix each request goes out with {@code x-request-id: <prefix><index>}, or
   *     {@code null} for no such field
   * @param waitForServer how long to wait for the server to answer before the run ({@code
   *     --wait-for-server}); zero checks once and fails at once
   */
  public record Endpoint(
      HttpTarget target,
      EndpointType type,
      String route,
      String modelName,
      String apiKey,
      TlsOptions tls,
      boolean stream,
      RequestHeaders headers,
      ExtraBody extraBody,
      String requestIdPrefix,
      Duration waitForServer) {

    public Endpoint {
      headers = headers == null ? RequestHeaders.NONE : headers;
      extraBody = extraBody == null ? ExtraBody.NONE : extraBody;
      waitForServer = waitForServer == null ? Duration.ZERO : waitForServer;
      if (apiKey != null && headers.has("Authorization")) {
        throw new InvalidInputException(
            "--header Authorization and --api-key (or --api-key-file) both give credentials: give"
                + " one of them (--api-key KEY sends 'Authorization: Bearer KEY')");
      }
      if (requestIdPrefix != null) {
        RequestHeaders.checkValue("--request-id-prefix", requestIdPrefix, false);
        if (headers.has("x-request-id")) {
          throw new InvalidInputException(
              "--header x-request-id and --request-id-prefix both name the request id: give one"
                  + " of them (--request-id-prefix P sends x-request-id: P0, P1, ...)");
        }
      }
      if (waitForServer.isNegative()) {
        throw new InvalidInputException("--wait-for-server must be a positive number of seconds");
      }
      if (type == EndpointType.SIMPLE && modelName == null && route == null) {
        throw new InvalidInputException(
            "the simple endpoint is addressed by model: pass --model-name (e.g. --model-name gpt-j-6b)");
      }
      if (type == EndpointType.TRITON && modelName == null) {
        throw new InvalidInputException(
            "Triton is addressed by model (/v2/models/<model>/generate): pass --model-name (e.g."
                + " --model-name ensemble)");
      }
      if (stream && !type.streams()) {
        throw new InvalidInputException(
            "--endpoint-type "
                + type.flagValue()
                + " answers whole, never streamed: drop --stream and --track-token-latency");
      }
      if (route != null) {
        requirePathText("--route", route);
      } else if (type == EndpointType.SIMPLE) {
        requirePathText("--model-name (the simple endpoint's route)", modelName);
      } else if (type == EndpointType.TRITON) {
        requirePathText("--model-name (Triton's route)", modelName);
      }
    }

    /**
     * Text that goes into the request line as it is: a space or control character would break it.
     */
    private static void requirePathText(String flag, String value) {
      if (value.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
        throw new InvalidInputException(
            flag
                + " '"
                + value.strip()
                + "' contains a space or a control character, which cannot be sent in a URL path:"
                + " percent-encode it (a space is %20)");
      }
    }

    public Endpoint withModelName(String discovered) {
      return new Endpoint(
          target,
          type,
          route,
          discovered,
          apiKey,
          tls,
          stream,
          headers,
          extraBody,
          requestIdPrefix,
          waitForServer);
    }

    /**
     * What goes out as {@code Authorization}: the user's own field, else {@code Bearer <key>} for
     * an API key, else {@code null}.
     */
    public String authorizationHeader() {
      String given = headers.get("Authorization");
      if (given != null) {
        return given;
      }
      return apiKey == null ? null : "Bearer " + apiKey;
    }

    /** Every text to keep out of what the run writes: the API key and secret header values. */
    public List<String> secrets() {
      List<String> secrets = new ArrayList<>(headers.secretValues());
      if (apiKey != null) {
        secrets.add(apiKey);
      }
      return List.copyOf(secrets);
    }
  }

  /**
   * What to send.
   *
   * @param tokenizerSpec {@code --tokenizer}: a built-in encoding, a tokenizer.json path or a
   *     Hugging Face repository id; {@code null} to find the model's own
   * @param modelFile the LLM-on-Ray model file of {@code --model-config}, or {@code null}
   * @param tokenizerLocations where a tokenizer is looked for (the Hugging Face cache, an
   *     LLM-on-Ray checkout)
   * @param cacheDirectory where prepared prompts are kept for the next run, or {@code null}
   * @param chatTemplate on a chat endpoint, count each prompt as the model's chat template renders
   *     it, when the tokenizer has one; {@code false} with {@code --no-chat-template}
   */
  public record Prompts(
      DatasetFormat format,
      DatasetOptions dataset,
      String tokenizerSpec,
      LlmOnRayModel modelFile,
      TokenizerLocations tokenizerLocations,
      Path cacheDirectory,
      boolean chatTemplate) {

    /**
     * The default cache: {@code $XDG_CACHE_HOME/servebench}, else {@code ~/.cache/servebench}; the
     * system property {@code servebench.prompt-cache} overrides both (the tests use it).
     */
    public static Path defaultCacheDirectory() {
      String override = System.getProperty("servebench.prompt-cache");
      if (override != null) {
        return Path.of(override);
      }
      String xdg = System.getenv("XDG_CACHE_HOME");
      Path base =
          xdg != null && !xdg.isBlank()
              ? Path.of(xdg)
              : Path.of(System.getProperty("user.home"), ".cache");
      return base.resolve("servebench");
    }
  }

  /** The gap distribution of an open-loop plan. */
  public enum Arrival {
    /** Gamma gaps with shape {@code --burstiness}: Poisson at 1. */
    GAMMA,
    /** Equal gaps of exactly 1 / rate. */
    CONSTANT
  }

  /**
   * How load is offered.
   *
   * @param ratePerSecond mean send rate; infinite sends everything at once
   * @param burstiness shape of the gamma gaps: 1 is Poisson, below 1 burstier, above more regular
   * @param rampUp how the rate rises at the start, if it does
   * @param concurrency a closed loop keeping this many requests in flight (0: open loop)
   * @param maxConcurrency a cap on requests in flight for an open loop (0 for none)
   * @param durationNanos send for this long after warm-up instead of a fixed count (-1 for none)
   * @param warmupRequests the first requests, recorded but left out of the statistics
   * @param warmupNanos requests intended within this first span are warm-up too
   * @param drain how long requests in flight may finish after Ctrl-C
   * @param traceTimeScale the plan is the trace's own times, each multiplied by this ({@code
   *     --trace-time-scale}); {@code null} when the plan is a rate or a closed loop
   * @param multiTurn replay conversations as multi-turn sessions, or {@code null}: each request
   *     stands alone
   */
  public record Load(
      double ratePerSecond,
      Arrival arrival,
      double burstiness,
      RampUp rampUp,
      int concurrency,
      int maxConcurrency,
      long durationNanos,
      int warmupRequests,
      long warmupNanos,
      Duration drain,
      Double traceTimeScale,
      MultiTurn multiTurn) {

    public Load {
      rampUp = rampUp == null ? RampUp.NONE : rampUp;
      long rampUpNanos = rampUp.overNanos();
      if (Double.isNaN(ratePerSecond) || ratePerSecond <= 0) {
        throw new InvalidInputException(
            "--request-rate must be a positive number of requests per second or 'inf', got "
                + ratePerSecond);
      }
      if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
        throw new InvalidInputException(
            "--burstiness must be a positive number, got " + burstiness);
      }
      if (maxConcurrency < 0) {
        throw new InvalidInputException(
            "--max-concurrency must be 0 (no cap) or more, got " + maxConcurrency);
      }
      if (concurrency < 0) {
        throw new InvalidInputException("--concurrency must be 1 or more, got " + concurrency);
      }
      if (concurrency > 0 && maxConcurrency > 0) {
        throw new InvalidInputException(
            "--concurrency (a closed loop) and --max-concurrency (a cap on an open loop) contradict"
                + " each other: give one of them");
      }
      if (concurrency > 0 && (Double.isFinite(ratePerSecond) || rampUpNanos > 0)) {
        throw new InvalidInputException(
            "--concurrency runs a closed loop, which has no rate: drop --request-rate/--ramp-up, or"
                + " use --max-concurrency to cap an open loop");
      }
      if (rampUpNanos > 0 && Double.isInfinite(ratePerSecond)) {
        throw new InvalidInputException("--ramp-up needs a finite --request-rate to ramp up to");
      }
      if (warmupRequests < 0) {
        throw new InvalidInputException(
            "--warmup-requests must be 0 or more, got " + warmupRequests);
      }
      if (drain.isNegative()) {
        throw new InvalidInputException("--drain-timeout must be 0 or more seconds");
      }
      if (rampUp.perRequest() != null) {
        checkRateRamp(ratePerSecond, concurrency, durationNanos, rampUpNanos, traceTimeScale);
      }
      if (traceTimeScale != null) {
        if (!(traceTimeScale > 0) || Double.isInfinite(traceTimeScale)) {
          throw new InvalidInputException(
              "--trace-time-scale must be a positive number (below 1 replays the trace faster,"
                  + " above 1 slower), got "
                  + traceTimeScale);
        }
        if (concurrency > 0 || Double.isFinite(ratePerSecond)) {
          throw new InvalidInputException(
              "a trace replay sends at the trace's own times: drop --request-rate and"
                  + " --concurrency, or drop --trace-time-scale to send the trace's prompts at"
                  + " that rate instead");
        }
        if (rampUpNanos > 0 || arrival != Arrival.GAMMA || burstiness != 1) {
          throw new InvalidInputException(
              "--ramp-up, --arrival and --burstiness shape the gaps of --request-rate; a trace"
                  + " replay sends at the trace's own times: drop them (--trace-time-scale speeds"
                  + " the trace up or slows it down)");
        }
      }
    }

    /**
     * vLLM's ramp over the requests sets the rate; everything else that sets one contradicts it.
     */
    private static void checkRateRamp(
        double ratePerSecond,
        int concurrency,
        long durationNanos,
        long rampUpNanos,
        Double traceTimeScale) {
      if (Double.isFinite(ratePerSecond)) {
        throw new InvalidInputException(
            "--ramp-up-strategy sets the rate, from --ramp-up-start-rps to --ramp-up-end-rps:"
                + " drop --request-rate");
      }
      if (concurrency > 0) {
        throw new InvalidInputException(
            "--ramp-up-strategy ramps a rate, and --concurrency runs a closed loop without one:"
                + " give one of them");
      }
      if (durationNanos >= 0) {
        throw new InvalidInputException(
            "--ramp-up-strategy ramps the rate over a number of requests, which --duration leaves"
                + " open: use --num-prompts, or --ramp-up to ramp over a time");
      }
      if (rampUpNanos > 0) {
        throw new InvalidInputException(
            "--ramp-up (over a time) and --ramp-up-strategy (over the requests) both ramp the rate:"
                + " give one of them");
      }
      if (traceTimeScale != null) {
        throw new InvalidInputException(
            "a trace replay sends at the trace's own times: drop --ramp-up-strategy, or give the"
                + " trace's prompts a rate of their own");
      }
    }

    /** The rate rises linearly from 0 over this long; 0 for none. */
    public long rampUpNanos() {
      return rampUp.overNanos();
    }

    public boolean closedLoop() {
      return concurrency > 0;
    }

    /** Whether the plan starts multi-turn sessions rather than single requests. */
    public boolean sessions() {
      return multiTurn != null;
    }

    /** Whether the plan is a trace's own times rather than a rate or a closed loop. */
    public boolean followsTrace() {
      return traceTimeScale != null;
    }
  }

  /**
   * How the rate rises at the start of an open-loop plan: over a time ({@code --ramp-up}, from 0 to
   * {@code --request-rate}), or over the requests (vLLM's {@code --ramp-up-strategy}); at most one.
   *
   * @param overNanos the time over which the rate rises linearly from 0; 0 for none
   * @param perRequest vLLM's ramp over the plan's requests, or {@code null}
   */
  public record RampUp(long overNanos, RateRamp perRequest) {

    public static final RampUp NONE = new RampUp(0, null);
  }

  /**
   * Multi-turn sessions ({@code --multi-turn}): what the plan starts is a conversation, whose turns
   * follow each other.
   *
   * @param maxTurns most turns replayed of each conversation
   * @param thinkTime between a turn's response's end and the next turn's send
   */
  public record MultiTurn(int maxTurns, Duration thinkTime) {

    public MultiTurn {
      if (maxTurns < 1) {
        throw new InvalidInputException("--max-turns must be 1 or more, got " + maxTurns);
      }
      if (thinkTime.isNegative()) {
        throw new InvalidInputException("--think-time must be 0 or more seconds");
      }
    }
  }

  /**
   * Per-request limits of the client.
   *
   * @param firstTokenTimeout or {@code null} for none
   * @param idleTimeout or {@code null} for none
   */
  public record Limits(
      Duration timeout,
      Duration firstTokenTimeout,
      Duration idleTimeout,
      long maxResponseBytes,
      int retries,
      int ioThreads) {

    /** Most I/O threads: each is an event loop; beyond the cores they only take turns. */
    public static final int MAX_IO_THREADS = 64;

    public Limits {
      if (!timeout.isPositive()) {
        throw new InvalidInputException("--timeout must be a positive number of seconds");
      }
      if (firstTokenTimeout != null && !firstTokenTimeout.isPositive()) {
        throw new InvalidInputException("--ttft-timeout must be a positive number of seconds");
      }
      if (idleTimeout != null && !idleTimeout.isPositive()) {
        throw new InvalidInputException("--idle-timeout must be a positive number of seconds");
      }
      if (maxResponseBytes < 1) {
        throw new InvalidInputException(
            "--max-response-bytes must be at least 1, got " + maxResponseBytes);
      }
      if (retries < 0) {
        throw new InvalidInputException("--retries must be 0 or more, got " + retries);
      }
      if (ioThreads < 1 || ioThreads > MAX_IO_THREADS) {
        throw new InvalidInputException(
            "--io-threads must be 1 to "
                + MAX_IO_THREADS
                + ", got "
                + ioThreads
                + " (more threads than cores only compete for them; the default is half the"
                + " cores, at most 4)");
      }
    }
  }

  /**
   * Generation settings; {@code null} ones are not sent, zeros are.
   *
   * @param continuousUsage ask for running token counts in every streamed event (vLLM)
   */
  public record Sampling(
      Double temperature,
      Double topP,
      Integer topK,
      Boolean doSample,
      boolean vllmEngine,
      boolean continuousUsage) {

    public Sampling {
      if (temperature != null && !(temperature >= 0)) {
        throw new InvalidInputException("--temperature must be 0 or more, got " + temperature);
      }
      if (topP != null && !(topP > 0 && topP <= 1)) {
        throw new InvalidInputException("--top-p must be in (0, 1], got " + topP);
      }
      if (topK != null && topK < -1) {
        throw new InvalidInputException("--top-k must be -1 (disabled), 0 or more, got " + topK);
      }
    }
  }

  /**
   * What the run reports and writes.
   *
   * @param resultsDir where to write the records, summary and HTML files, or {@code null}
   * @param csv whether to write the records and the summary as CSV too (into {@code resultsDir})
   * @param live what standard error shows while the run goes on
   * @param quiet no informational lines on standard error (warnings, errors and the report stay)
   * @param percentiles the percentiles the console shows
   * @param goodput service-level objectives in milliseconds by metric ({@code ttft}, {@code tpot},
   *     {@code itl}, {@code e2el}); empty for none
   * @param percentileMetrics the latencies the console's serving table shows, and vLLM's result
   *     file holds ({@code --percentile-metrics})
   * @param vllmResult vLLM's result file ({@code --save-result}, {@code --append-result}), or
   *     {@code null} for none
   * @param backend vLLM's {@code --backend} name as given, or {@code null}
   */
  public record Output(
      Path resultsDir,
      boolean csv,
      boolean trackInputOutput,
      Live live,
      boolean quiet,
      List<Double> percentiles,
      Map<String, Double> goodput,
      List<PercentileMetric> percentileMetrics,
      VllmResultJson.Options vllmResult,
      String backend) {

    public Output {
      percentileMetrics =
          percentileMetrics == null ? PercentileMetric.DEFAULT : List.copyOf(percentileMetrics);
      if (csv && resultsDir == null) {
        throw new InvalidInputException(
            "--csv writes its files into the results directory: add --results-dir DIR");
      }
    }

    /** Whether the texts are kept: asked for, or needed by vLLM's {@code generated_texts}. */
    public boolean keepsTexts() {
      return trackInputOutput || (vllmResult != null && vllmResult.detailed());
    }
  }

  /**
   * The live view on standard error while the run goes on (docs/metrics.md, Live view).
   *
   * @param mode a block redrawn in place (a terminal), a plain line now and then, or nothing
   * @param lineInterval how often the plain line comes
   */
  public record Live(LiveView.Mode mode, Duration lineInterval) {}

  /**
   * This process's part of a plan shared by several ({@code --shard}, {@code --start-at};
   * docs/scale-out.md).
   *
   * @param shard the requests this process sends: those of the one-process plan whose index is
   *     {@code shard.index()} modulo {@code shard.count()}, at the plan's times, with the rate, the
   *     concurrency and the cap on it divided; {@link Shard#WHOLE} for the whole plan
   * @param startAt the wall-clock instant at which the plan starts (its offset 0), or {@code null}
   *     to start as soon as the run is ready
   */
  public record Sharding(Shard shard, Instant startAt) {

    public static final Sharding NONE = new Sharding(Shard.WHOLE, null);

    public Sharding {
      shard = shard == null ? Shard.WHOLE : shard;
    }
  }

  /**
   * What a run is called, so that it can be told from others wherever runs are listed: the
   * summary's configuration, the reports' headers, the comparison's columns, the file names.
   *
   * @param label a short name ({@code --label}), or {@code null}; also the first part of the run's
   *     file names and of vLLM's result file name
   * @param metadata free {@code KEY=VALUE} notes ({@code --metadata}: the GPU, a commit, a server
   *     flag), in the order given
   */
  public record Identity(String label, Map<String, String> metadata) {

    public static final Identity NONE = new Identity(null, Map.of());

    public Identity {
      if (label != null
          && (label.isBlank() || label.contains("/") || label.chars().anyMatch(c -> c < 0x20))) {
        throw new InvalidInputException(
            "--label '"
                + label
                + "' must be a non-empty name without '/': it starts a file name (e.g. --label"
                + " nightly)");
      }
      metadata = metadata == null ? Map.of() : unmodifiableCopy(metadata);
    }

    /**
     * Parses repeated {@code --metadata KEY=VALUE}: the key is everything before the first '=', the
     * value may be empty; a key given twice is refused, since one of the values would be lost.
     */
    public static Map<String, String> parseMetadata(List<String> entries) {
      Map<String, String> metadata = new LinkedHashMap<>();
      for (String entry : entries) {
        int equals = entry.indexOf('=');
        String key = equals < 0 ? entry : entry.substring(0, equals).strip();
        if (equals < 0 || key.isEmpty()) {
          throw new InvalidInputException(
              "--metadata '"
                  + entry
                  + "' is not KEY=VALUE: give a key, '=' and a value (e.g. --metadata gpu=H100)");
        }
        if (key.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
          throw new InvalidInputException(
              "--metadata key '"
                  + key
                  + "' contains a space or a control character: use letters, digits, '_', '-' or"
                  + " '.' (e.g. --metadata server_version=0.6.3)");
        }
        if (metadata.putIfAbsent(key, entry.substring(equals + 1)) != null) {
          throw new InvalidInputException(
              "--metadata " + key + " is given twice: give each key once");
        }
      }
      return metadata;
    }

    private static Map<String, String> unmodifiableCopy(Map<String, String> metadata) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
  }

  /**
   * Scraping the server's own metrics during the run ({@code --server-metrics}).
   *
   * @param mode whether to scrape
   * @param url the Prometheus endpoint given, or {@code null} for {@code /metrics} on the
   *     endpoint's host
   * @param interval between scrapes ({@code --server-metrics-interval})
   */
  public record ServerMetrics(Mode mode, URI url, Duration interval) {

    /** The shortest interval taken: scraping faster would load the server it measures. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    /** Probe {@code /metrics} once and scrape when it answers: what a run does unless told. */
    public static final ServerMetrics AUTO = new ServerMetrics(Mode.AUTO, null, DEFAULT_INTERVAL);

    public enum Mode {
      /** Probe {@code /metrics} before the run; scrape only if it answers with an exposition. */
      AUTO,
      /** Scrape throughout, whatever the first scrapes bring (failures are counted). */
      ON,
      /** Never scrape ({@code --no-server-metrics}). */
      OFF
    }

    public ServerMetrics {
      interval = interval == null ? DEFAULT_INTERVAL : interval;
      if (interval.compareTo(MIN_INTERVAL) < 0) {
        throw new InvalidInputException(
            "--server-metrics-interval must be at least "
                + MIN_INTERVAL.toMillis()
                + "ms (e.g. 1s, 500ms): each scrape costs the server a little work");
      }
      if (url != null) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
          throw new InvalidInputException(
              "--server-metrics '"
                  + url
                  + "' is not an http:// or https:// URL with a host (e.g."
                  + " http://127.0.0.1:8000/metrics)");
        }
      }
    }

    /** Where to scrape: the URL given, or {@code /metrics} at the endpoint's scheme, host, port. */
    public URI resolve(HttpTarget target) {
      if (url != null) {
        return url;
      }
      return URI.create(
          (target.https() ? "https://" : "http://") + target.hostHeader() + "/metrics");
    }
  }

  /** The same run against another model name (once it is discovered from the server). */
  public RunConfig withModelName(String discoveredModelName) {
    return new RunConfig(
        endpoint.withModelName(discoveredModelName),
        prompts,
        load,
        limits,
        sampling,
        output,
        sharding,
        identity,
        serverMetrics);
  }

  /**
   * The settings as written into records and summaries: no secrets.
   *
   * @param chatTemplateFile the chat template prompts were counted with, or {@code null} for their
   *     bare text
   */
  /** This machine's name, as a shard's records name it; "unknown" when it has none. */
  static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException | SecurityException nameless) {
      String fromEnvironment = System.getenv("HOSTNAME");
      return fromEnvironment == null || fromEnvironment.isBlank() ? "unknown" : fromEnvironment;
    }
  }

  public Map<String, Object> describe(String tokenizerName, Path chatTemplateFile) {
    Map<String, Object> settings = new LinkedHashMap<>();
    if (identity.label() != null) {
      settings.put("label", identity.label());
    }
    if (!identity.metadata().isEmpty()) {
      settings.put("metadata", identity.metadata());
    }
    settings.put("model_endpoint_base", endpoint.target().url());
    settings.put("endpoint_type", endpoint.type().flagValue());
    settings.put("model_name", endpoint.modelName());
    settings.put("route", endpoint.route());
    settings.put("api_key", endpoint.apiKey() == null ? "not set" : "set (not shown)");
    settings.put("insecure_tls", endpoint.tls().insecure());
    settings.put(
        "ca_cert", endpoint.tls().caBundle() == null ? null : endpoint.tls().caBundle().toString());
    settings.put("stream", endpoint.stream());
    settings.put("headers", endpoint.headers().described());
    settings.put(
        "extra_body", endpoint.extraBody().isEmpty() ? null : endpoint.extraBody().described());
    settings.put("request_id_prefix", endpoint.requestIdPrefix());
    settings.put(
        "wait_for_server_s",
        endpoint.waitForServer().isZero() ? null : endpoint.waitForServer().toMillis() / 1000.0);
    settings.put("tokenizer", tokenizerName);
    settings.put("chat_template", chatTemplateFile == null ? null : chatTemplateFile.toString());
    settings.put("chat_template_applied", chatTemplateFile != null);
    settings.put(
        "model_config", prompts.modelFile() == null ? null : prompts.modelFile().file().toString());
    DatasetOptions dataset = prompts.dataset();
    settings.put("dataset_format", prompts.format().displayName());
    settings.put("dataset", dataset.dataset() == null ? null : dataset.dataset().toString());
    settings.put("num_prompts", dataset.numPrompts());
    settings.put("seed", dataset.seed());
    settings.put(
        "request_rate",
        load.followsTrace()
            ? "trace"
            : Double.isInfinite(load.ratePerSecond()) ? "inf" : load.ratePerSecond());
    settings.put("trace_time_scale", load.traceTimeScale());
    settings.put("arrival", load.arrival().name().toLowerCase(java.util.Locale.ROOT));
    settings.put("burstiness", load.burstiness());
    settings.put("ramp_up_s", load.rampUpNanos() / 1e9);
    RateRamp ramp = load.rampUp().perRequest();
    if (ramp != null) {
      settings.put("ramp_up_strategy", ramp.strategy().flagValue());
      settings.put("ramp_up_start_rps", ramp.startPerSecond());
      settings.put("ramp_up_end_rps", ramp.endPerSecond());
    }
    settings.put("concurrency", load.concurrency());
    settings.put("max_concurrency", load.maxConcurrency());
    settings.put("duration_s", load.durationNanos() < 0 ? null : load.durationNanos() / 1e9);
    settings.put("warmup_requests", load.warmupRequests());
    settings.put("warmup_s", load.warmupNanos() / 1e9);
    if (!sharding.shard().whole()) {
      settings.put("shard", sharding.shard().label());
      // The merge adds the shards' cores only across distinct machines.
      settings.put("host", hostName());
    }
    if (sharding.startAt() != null) {
      settings.put("start_at", sharding.startAt().toString());
    }
    if (load.sessions()) {
      settings.put("multi_turn", true);
      settings.put(
          "max_turns",
          load.multiTurn().maxTurns() == Integer.MAX_VALUE ? "all" : load.multiTurn().maxTurns());
      settings.put("think_time_s", load.multiTurn().thinkTime().toNanos() / 1e9);
    }
    settings.put("timeout_s", limits.timeout().toMillis() / 1000.0);
    settings.put(
        "ttft_timeout_s",
        limits.firstTokenTimeout() == null ? null : limits.firstTokenTimeout().toMillis() / 1000.0);
    settings.put(
        "idle_timeout_s",
        limits.idleTimeout() == null ? null : limits.idleTimeout().toMillis() / 1000.0);
    settings.put("retries", limits.retries());
    settings.put("temperature", sampling.temperature());
    settings.put("top_p", sampling.topP());
    settings.put("top_k", sampling.topK());
    settings.put("do_sample", sampling.doSample());
    settings.put("vllm_engine", sampling.vllmEngine());
    settings.put("continuous_usage", sampling.continuousUsage());
    settings.put("percentiles", output.percentiles());
    settings.put("goodput_slo_ms", output.goodput());
    settings.put(
        "percentile_metrics",
        output.percentileMetrics().stream().map(PercentileMetric::key).toList());
    if (output.backend() != null) {
      settings.put("backend", output.backend());
    }
    switch (prompts.format()) {
      case SHAREGPT -> {
        settings.put("min_input_tokens_len", dataset.minInputTokens());
        settings.put("max_input_tokens_len", dataset.maxInputTokens());
        settings.put("min_output_tokens_len", dataset.minOutputTokens());
        settings.put("max_output_tokens_len", dataset.maxOutputTokens());
        settings.put("max_length", dataset.maxLength());
      }
      case IPEX -> {
        settings.put("model_type", dataset.modelType());
        settings.put("input_tokens", dataset.inputTokens());
        settings.put("max_new_tokens", dataset.maxNewTokens());
      }
      case SYNTHESIS -> {
        settings.put("input_len_mean", dataset.inputLenMean());
        settings.put("input_len_stddev", dataset.inputLenStddev());
        settings.put("output_len_mean", dataset.outputLenMean());
        settings.put("output_len_stddev", dataset.outputLenStddev());
      }
      case RANDOM -> {
        settings.put("random_input_len", dataset.randomInputLen());
        settings.put("random_output_len", dataset.randomOutputLen());
        settings.put("random_range_ratio", dataset.randomRangeRatio());
        settings.put("random_prefix_len", dataset.randomPrefixLen());
      }
      case SHARED_PREFIX -> {
        settings.put("prefix_groups", dataset.prefixGroups());
        settings.put("prompts_per_group", dataset.promptsPerGroup());
        settings.put("prefix_len", dataset.systemPromptLen());
        settings.put("question_len", dataset.questionLen());
        settings.put("prefix_output_len", dataset.sharedPrefixOutputLen());
      }
      case MOONCAKE -> settings.put("trace_block_tokens", dataset.traceBlockTokens());
      default -> {}
    }
    return settings;
  }
}
