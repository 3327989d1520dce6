package dev.servebench.mock;

import dev.servebench.config.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.util.Objects;

/**
 * Settings of a {@link MockServer}. Latencies are drawn per request from a normal distribution
 * clamped at zero, with a seeded generator, so a run against the mock is repeatable.
 *
 * <p>Build one with {@link #builder()}; every setting has a default that gives an instant server on
 * a free local port.
 *
 * @param host address to bind, {@code 127.0.0.1} by default
 * @param port port to bind; 0 picks a free port (see {@link MockServer#port()})
 * @param ttftMillis mean time to the first token
 * @param ttftStddevMillis standard deviation of the time to the first token
 * @param itlMillis mean gap between two tokens
 * @param itlStddevMillis standard deviation of the gap between two tokens
 * @param fixedOutputTokens output length of every response, overriding the request; {@code null} to
 *     honour the request's maximum
 * @param defaultOutputTokens output length when neither this config nor the request names one
 * @param seed seed of the latency and text generators
 * @param tokenizer the tokenizer whose tokens make up the output and that counts prompt tokens
 * @param ioThreads number of event-loop threads
 * @param sendRoleChunk whether chat streams start with a role-only delta, as vLLM's do
 * @param modelName the model listed by {@code GET /v1/models} and named in responses to requests
 *     that name none
 */
public record MockServerConfig(
    String host,
    int port,
    double ttftMillis,
    double ttftStddevMillis,
    double itlMillis,
    double itlStddevMillis,
    Integer fixedOutputTokens,
    int defaultOutputTokens,
    long seed,
    Tokenizer tokenizer,
    int ioThreads,
    boolean sendRoleChunk,
    String modelName) {

  /** Validates once here so the server never meets a nonsensical setting. */
  public MockServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(modelName, "modelName");
    if (port < 0 || port > 65_535) {
      throw new InvalidInputException("mock server port must be 0..65535, got " + port);
    }
    requireLatency("TTFT", ttftMillis);
    requireLatency("TTFT standard deviation", ttftStddevMillis);
    requireLatency("ITL", itlMillis);
    requireLatency("ITL standard deviation", itlStddevMillis);
    if (fixedOutputTokens != null && fixedOutputTokens < 1) {
      throw new InvalidInputException(
          "mock server fixed output tokens must be at least 1, got " + fixedOutputTokens);
    }
    if (defaultOutputTokens < 1) {
      throw new InvalidInputException(
          "mock server default output tokens must be at least 1, got " + defaultOutputTokens);
    }
    if (ioThreads < 1) {
      throw new InvalidInputException(
          "mock server I/O threads must be at least 1, got " + ioThreads);
    }
    if (modelName.isBlank()) {
      throw new InvalidInputException("mock server model name must not be blank");
    }
  }

  private static void requireLatency(String what, double millis) {
    if (!(millis >= 0) || Double.isInfinite(millis)) {
      throw new InvalidInputException(
          "mock server " + what + " must be a finite number of milliseconds >= 0, got " + millis);
    }
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Mutable collector of settings; {@link #build()} validates them. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private double ttftMillis;
    private double ttftStddevMillis;
    private double itlMillis;
    private double itlStddevMillis;
    private Integer fixedOutputTokens;
    private int defaultOutputTokens = 16;
    private long seed;
    private Tokenizer tokenizer;
    private int ioThreads = 1;
    private boolean sendRoleChunk = true;
    private String modelName = "mock-model";

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder ttftMillis(double ttftMillis) {
      this.ttftMillis = ttftMillis;
      return this;
    }

    public Builder ttftStddevMillis(double ttftStddevMillis) {
      this.ttftStddevMillis = ttftStddevMillis;
      return this;
    }

    public Builder itlMillis(double itlMillis) {
      this.itlMillis = itlMillis;
      return this;
    }

    public Builder itlStddevMillis(double itlStddevMillis) {
      this.itlStddevMillis = itlStddevMillis;
      return this;
    }

    public Builder fixedOutputTokens(Integer fixedOutputTokens) {
      this.fixedOutputTokens = fixedOutputTokens;
      return this;
    }

    public Builder defaultOutputTokens(int defaultOutputTokens) {
      this.defaultOutputTokens = defaultOutputTokens;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder tokenizer(Tokenizer tokenizer) {
      this.tokenizer = tokenizer;
      return this;
    }

    public Builder ioThreads(int ioThreads) {
      this.ioThreads = ioThreads;
      return this;
    }

    public Builder sendRoleChunk(boolean sendRoleChunk) {
      this.sendRoleChunk = sendRoleChunk;
      return this;
    }

    public Builder modelName(String modelName) {
      this.modelName = modelName;
      return this;
    }

    /** The validated config; the tokenizer defaults to {@code r50k_base} (GPT-2, GPT-J-6B). */
    public MockServerConfig build() {
      return new MockServerConfig(
          host,
          port,
          ttftMillis,
          ttftStddevMillis,
          itlMillis,
          itlStddevMillis,
          fixedOutputTokens,
          defaultOutputTokens,
          seed,
          tokenizer != null ? tokenizer : Tokenizers.builtIn("r50k_base"),
          ioThreads,
          sendRoleChunk,
          modelName);
    }
  }
}
