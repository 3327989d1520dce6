package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.ChatTemplate;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link MockServer}. Latencies, faults and stalls are drawn per request from seeded
 * generators, so a run against the mock is repeatable.
 *
 * <p>Build one with {@link #builder()}; every setting has a default that gives an instant, healthy
 * server on a free local port.
 *
 * @param host address to bind, {@code 127.0.0.1} by default
 * @param port port to bind; 0 picks a free port (see {@link MockServer#port()})
 * @param latency TTFT and gaps between tokens
 * @param tokensPerChunk tokens carried by stream chunk 0, 1, 2, ..., the pattern repeating ({@code
 *     [1]}: one token per chunk); the last chunk may carry fewer
 * @param usagePlacement where an OpenAI stream puts the usage its request asked for
 * @param reasoningTokens how many leading tokens of a chat stream are sent as {@code
 *     delta.reasoning_content}; they count as completion tokens
 * @param stalls per-request holds of the stream
 * @param serverStalls windows in which the whole server writes nothing
 * @param faults faults to inject, checked in order (see {@link FaultSpec})
 * @param recordWritesMaxRequests how many generation requests, the first to arrive, get a {@link
 *     MockServer#writeLog()} entry; 0 records nothing
 * @param fixedOutputTokens output length of every response, overriding the request; {@code null} to
 *     honour the request's maximum
 * @param defaultOutputTokens output length when neither this config nor the request names one
 * @param seed seed of the latency, text, fault and stall generators
 * @param tokenizer the tokenizer whose tokens make up the output and that counts prompt tokens
 * @param ioThreads number of event-loop threads
 * @param sendRoleChunk whether chat streams start with a role-only delta, as vLLM's do
 * @param modelName the model listed by {@code GET /v1/models} and named in responses to requests
 *     that name none
 * @param tls serves https with this context (its certificate), or {@code null} for plain http
 * @param cutWords stream events cut inside words: each event but the last keeps back its last
 *     character for the next, as llama.cpp keeps back a token that ends inside a UTF-8 character;
 *     counting each event's text on its own then finds more tokens than were generated
 * @param captureRequests how many of the last requests {@link MockServer#capturedRequests()} keeps,
 *     heads and bodies; 0 keeps none
 * @param chatTemplate the template a chat request's messages are rendered with before they are
 *     counted as prompt tokens, as a serving engine does; {@code null} counts their bare text
 * @param capacity how many requests run at once and how fast they share the decode; {@link
 *     CapacitySpec#UNLIMITED} (the default) runs every request at once at its configured latencies
 */
public record MockServerConfig(
    String host,
    int port,
    LatencySpec latency,
    List<Integer> tokensPerChunk,
    UsagePlacement usagePlacement,
    int reasoningTokens,
    List<Stall> stalls,
    List<ServerStall> serverStalls,
    List<FaultSpec> faults,
    int recordWritesMaxRequests,
    Integer fixedOutputTokens,
    int defaultOutputTokens,
    long seed,
    Tokenizer tokenizer,
    int ioThreads,
    boolean sendRoleChunk,
    String modelName,
    SslContext tls,
    boolean cutWords,
    int captureRequests,
    ChatTemplate chatTemplate,
    CapacitySpec capacity) {

  /** Most event-loop threads: beyond the cores they only take turns (and each costs memory). */
  public static final int MAX_IO_THREADS = 64;

  /** Validates once here so the server never meets a nonsensical setting. */
  public MockServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(usagePlacement, "usagePlacement");
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(capacity, "capacity");
    tokensPerChunk = List.copyOf(tokensPerChunk);
    stalls = List.copyOf(stalls);
    serverStalls = List.copyOf(serverStalls);
    faults = List.copyOf(faults);
    if (port < 0 || port > 65_535) {
      throw new InvalidInputException("mock server port must be 0..65535, got " + port);
    }
    if (tokensPerChunk.isEmpty()) {
      throw new InvalidInputException("mock server tokens per chunk needs at least one value");
    }
    for (int tokens : tokensPerChunk) {
      Checks.requireAtLeast("tokens per chunk", tokens, 1);
    }
    Checks.requireAtLeast("reasoning tokens", reasoningTokens, 0);
    Checks.requireAtLeast("write log size in requests", recordWritesMaxRequests, 0);
    Checks.requireAtLeast("captured requests", captureRequests, 0);
    if (fixedOutputTokens != null) {
      Checks.requireAtLeast("fixed output tokens", fixedOutputTokens, 1);
    }
    Checks.requireAtLeast("default output tokens", defaultOutputTokens, 1);
    Checks.requireAtLeast("I/O threads", ioThreads, 1);
    if (ioThreads > MAX_IO_THREADS) {
      throw new InvalidInputException(
          "mock server I/O threads must be at most " + MAX_IO_THREADS + ", got " + ioThreads);
    }
    if (modelName.isBlank()) {
      throw new InvalidInputException("mock server model name must not be blank");
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
    private LatencySpec latency;
    private List<Integer> tokensPerChunk = List.of(1);
    private UsagePlacement usagePlacement = UsagePlacement.SEPARATE;
    private int reasoningTokens;
    private final List<Stall> stalls = new ArrayList<>();
    private final List<ServerStall> serverStalls = new ArrayList<>();
    private final List<FaultSpec> faults = new ArrayList<>();
    private int recordWritesMaxRequests;
    private Integer fixedOutputTokens;
    private int defaultOutputTokens = 16;
    private long seed;
    private Tokenizer tokenizer;
    private int ioThreads = 1;
    private boolean sendRoleChunk = true;
    private String modelName = "mock-model";
    private SslContext tls;
    private boolean cutWords;
    private int captureRequests;
    private ChatTemplate chatTemplate;
    private CapacitySpec capacity = CapacitySpec.UNLIMITED;

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Mean TTFT of the default normal latencies; ignored once {@link #latency} is set. */
    public Builder ttftMillis(double ttftMillis) {
      this.ttftMillis = ttftMillis;
      return this;
    }

    /** See {@link #ttftMillis}. */
    public Builder ttftStddevMillis(double ttftStddevMillis) {
      this.ttftStddevMillis = ttftStddevMillis;
      return this;
    }

    /** Mean gap of the default normal latencies; ignored once {@link #latency} is set. */
    public Builder itlMillis(double itlMillis) {
      this.itlMillis = itlMillis;
      return this;
    }

    /** See {@link #itlMillis}. */
    public Builder itlStddevMillis(double itlStddevMillis) {
      this.itlStddevMillis = itlStddevMillis;
      return this;
    }

    /** Replaces the normal latencies of {@link #ttftMillis} and {@link #itlMillis}. */
    public Builder latency(LatencySpec latency) {
      this.latency = latency;
      return this;
    }

    /**
     * Chunk sizes in tokens, cycled: {@code (4)} for four per chunk, {@code (1, 3)} alternating.
     */
    public Builder tokensPerChunk(Integer... tokensPerChunk) {
      this.tokensPerChunk = List.of(tokensPerChunk);
      return this;
    }

    public Builder usagePlacement(UsagePlacement usagePlacement) {
      this.usagePlacement = usagePlacement;
      return this;
    }

    public Builder reasoningTokens(int reasoningTokens) {
      this.reasoningTokens = reasoningTokens;
      return this;
    }

    /** Adds a per-request stall. */
    public Builder stall(Stall stall) {
      stalls.add(stall);
      return this;
    }

    /** Adds a window in which the whole server writes nothing. */
    public Builder serverStall(ServerStall serverStall) {
      serverStalls.add(serverStall);
      return this;
    }

    /** Adds a fault, checked after those added before it. */
    public Builder fault(FaultSpec fault) {
      faults.add(fault);
      return this;
    }

    /** Records the writes of the first {@code maxRequests} generation requests. */
    public Builder recordWrites(int maxRequests) {
      this.recordWritesMaxRequests = maxRequests;
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
          latency != null
              ? latency
              : new LatencySpec.Drawn(
                  new LatencySpec.Distribution.Normal(ttftMillis, ttftStddevMillis),
                  new LatencySpec.Distribution.Normal(itlMillis, itlStddevMillis)),
          tokensPerChunk,
          usagePlacement,
          reasoningTokens,
          stalls,
          serverStalls,
          faults,
          recordWritesMaxRequests,
          fixedOutputTokens,
          defaultOutputTokens,
          seed,
          tokenizer != null ? tokenizer : Tokenizers.builtIn("r50k_base"),
          ioThreads,
          sendRoleChunk,
          modelName,
          tls,
          cutWords,
          captureRequests,
          chatTemplate,
          capacity);
    }

    /** Limits how many requests run at once and how fast they decode; see {@link CapacitySpec}. */
    public Builder capacity(CapacitySpec capacity) {
      this.capacity = capacity;
      return this;
    }

    /** Render chat prompts with this template before counting them; {@code null}: bare text. */
    public Builder chatTemplate(ChatTemplate chatTemplate) {
      this.chatTemplate = chatTemplate;
      return this;
    }

    /** Cut stream events inside words (see {@link MockServerConfig#cutWords}). */
    public Builder cutWords(boolean cutWords) {
      this.cutWords = cutWords;
      return this;
    }

    /**
     * Keeps the last {@code maxRequests} requests whole ({@link MockServer#capturedRequests()}).
     */
    public Builder captureRequests(int maxRequests) {
      this.captureRequests = maxRequests;
      return this;
    }

    /** Serve https with this server context; tests make one for a self-signed certificate. */
    public Builder tls(SslContext tls) {
      this.tls = tls;
      return this;
    }
  }
}
