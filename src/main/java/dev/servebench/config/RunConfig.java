package dev.servebench.config;

import dev.servebench.dataset.DatasetFormat;
import dev.servebench.dataset.DatasetOptions;
import dev.servebench.endpoint.EndpointType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every setting of one benchmark run, checked once, here, with messages that name the flag. The
 * command line only collects flags into this record.
 *
 * @param target the server ({@code --model-endpoint-base})
 * @param route the simple endpoint's route instead of {@code /<model>}, or {@code null}
 * @param modelName the model, or {@code null} to ask an OpenAI server's {@code /v1/models}
 * @param apiKey sent as a bearer token; never printed or written
 * @param tokenizerSpec a built-in encoding or a tokenizer.json path, or {@code null} for the model's
 *     default
 * @param requestRatePerSecond mean send rate; infinite sends everything at once
 * @param maxConcurrency most requests in flight, 0 for no cap
 * @param resultsDir where to write the records and summary files, or {@code null}
 */
public record RunConfig(
    HttpTarget target,
    EndpointType endpointType,
    String route,
    String modelName,
    String apiKey,
    String tokenizerSpec,
    DatasetFormat datasetFormat,
    DatasetOptions dataset,
    double requestRatePerSecond,
    int maxConcurrency,
    Duration timeout,
    boolean stream,
    boolean trackInputOutput,
    Path resultsDir,
    boolean progress,
    int ioThreads,
    Double temperature,
    Double topP,
    Integer topK,
    Boolean doSample,
    boolean vllmEngine) {

  public RunConfig {
    if (Double.isNaN(requestRatePerSecond) || requestRatePerSecond <= 0) {
      throw new InvalidInputException(
          "--request-rate must be a positive number of requests per second or 'inf', got "
              + requestRatePerSecond);
    }
    if (maxConcurrency < 0) {
      throw new InvalidInputException(
          "--max-concurrency must be 0 (no cap) or more, got " + maxConcurrency);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidInputException("--timeout must be a positive number of seconds, got " + timeout.toMillis() / 1000.0);
    }
    if (ioThreads < 1) {
      throw new InvalidInputException("--io-threads must be at least 1, got " + ioThreads);
    }
    if (temperature != null && !(temperature >= 0)) {
      throw new InvalidInputException("--temperature must be 0 or more, got " + temperature);
    }
    if (topP != null && !(topP > 0 && topP <= 1)) {
      throw new InvalidInputException("--top-p must be in (0, 1], got " + topP);
    }
    if (topK != null && topK < -1) {
      throw new InvalidInputException("--top-k must be -1 (disabled), 0 or more, got " + topK);
    }
    if (endpointType == EndpointType.SIMPLE && modelName == null && route == null) {
      throw new InvalidInputException(
          "the simple endpoint is addressed by model: pass --model-name (e.g. --model-name gpt-j-6b)");
    }
  }

  /** The same run against another model name (once it is discovered from the server). */
  public RunConfig withModelName(String discoveredModelName) {
    return new RunConfig(
        target, endpointType, route, discoveredModelName, apiKey, tokenizerSpec, datasetFormat,
        dataset, requestRatePerSecond, maxConcurrency, timeout, stream, trackInputOutput, resultsDir,
        progress, ioThreads, temperature, topP, topK, doSample, vllmEngine);
  }

  /** The settings as written into records and summaries: no secrets. */
  public Map<String, Object> describe(String tokenizerName) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("model_endpoint_base", target.url());
    settings.put("endpoint_type", endpointType.flagValue());
    settings.put("model_name", modelName);
    settings.put("route", route);
    settings.put("api_key", apiKey == null ? "not set" : "set (not shown)");
    settings.put("tokenizer", tokenizerName);
    settings.put("dataset_format", datasetFormat.displayName());
    settings.put("dataset", dataset.dataset() == null ? null : dataset.dataset().toString());
    settings.put("num_prompts", dataset.numPrompts());
    settings.put("seed", dataset.seed());
    settings.put("request_rate", Double.isInfinite(requestRatePerSecond) ? "inf" : requestRatePerSecond);
    settings.put("max_concurrency", maxConcurrency);
    settings.put("stream", stream);
    settings.put("timeout_s", timeout.toMillis() / 1000.0);
    settings.put("temperature", temperature);
    settings.put("top_p", topP);
    settings.put("top_k", topK);
    settings.put("do_sample", doSample);
    settings.put("vllm_engine", vllmEngine);
    switch (datasetFormat) {
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
      default -> {}
    }
    return settings;
  }
}
