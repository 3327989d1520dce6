package dev.servebench.endpoint;

import dev.servebench.error.InvalidInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The protocols servebench speaks, by their {@code --endpoint-type} names. */
public enum EndpointType {
  SIMPLE("simple"),
  OPENAI_CHAT("openai-chat"),
  OPENAI_COMPLETIONS("openai-completions"),
  /** Text Generation Inference's {@code /generate_stream} and {@code /generate}. */
  TGI("tgi"),
  /** SGLang's native {@code /generate}. */
  SGLANG("sglang"),
  /** Triton's generate extension ({@code /v2/models/<model>/generate_stream}), TensorRT-LLM's. */
  TRITON("triton"),
  /** OpenAI's {@code /v1/embeddings}: latency and throughput of requests, no tokens out. */
  OPENAI_EMBEDDINGS("openai-embeddings");

  private final String flagValue;

  EndpointType(String flagValue) {
    this.flagValue = flagValue;
  }

  /** The name users write after {@code --endpoint-type}. */
  public String flagValue() {
    return flagValue;
  }

  /**
   * The adapter for this protocol.
   *
   * @param routeOverride the request path under the base URL instead of the protocol's own (the
   *     simple endpoint's {@code /<model>}, OpenAI's {@code /v1/...}), or {@code null}
   */
  public EndpointAdapter adapter(String routeOverride) {
    if (routeOverride != null && this != SIMPLE) {
      return new RoutedEndpoint(adapter(null), routeOverride);
    }
    return switch (this) {
      case SIMPLE -> new SimpleEndpoint(routeOverride);
      case OPENAI_CHAT -> new OpenAiEndpoint(true);
      case OPENAI_COMPLETIONS -> new OpenAiEndpoint(false);
      case TGI -> new TgiEndpoint();
      case SGLANG -> new SglangEndpoint();
      case TRITON -> new TritonEndpoint();
      case OPENAI_EMBEDDINGS -> new EmbeddingsEndpoint();
    };
  }

  /**
   * Whether the server lists its models at {@code /v1/models}: every OpenAI server, and TGI and
   * SGLang, which serve the OpenAI API beside their own.
   */
  public boolean listsModels() {
    return this != SIMPLE && this != TRITON;
  }

  /**
   * Whether the server renders the prompt with the model's chat template before it tokenizes it:
   * OpenAI chat only. A completions, native or embeddings server tokenizes the text as it comes.
   */
  public boolean appliesChatTemplate() {
    return this == OPENAI_CHAT;
  }

  /** Whether the protocol can stream its answers; an embedding comes whole. */
  public boolean streams() {
    return this != OPENAI_EMBEDDINGS;
  }

  /**
   * The protocol of a vLLM {@code --backend} name, with vLLM's meaning: {@code vllm} and {@code
   * openai} are completions, {@code openai-chat} chat, {@code tensorrt-llm} Triton's generate
   * route, and the servers vLLM reached through completions ({@code sglang}, {@code lmdeploy},
   * {@code scalellm}, {@code llama.cpp}) completions still ({@code --endpoint-type sglang} is
   * SGLang's native API).
   *
   * @throws InvalidInputException for a backend servebench does not speak, listing those it does
   */
  public static EndpointType ofVllmBackend(String backend) {
    return switch (backend.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "vllm", "openai", "sglang", "lmdeploy", "scalellm", "llama.cpp" -> OPENAI_COMPLETIONS;
      case "openai-chat" -> OPENAI_CHAT;
      case "openai-embeddings" -> OPENAI_EMBEDDINGS;
      case "tgi" -> TGI;
      case "tensorrt-llm" -> TRITON;
      default ->
          throw new InvalidInputException(
              "--backend '"
                  + backend
                  + "' is not a protocol servebench speaks: use vllm, openai, openai-chat,"
                  + " openai-embeddings, tgi, tensorrt-llm, sglang, lmdeploy, scalellm or"
                  + " llama.cpp (vLLM's names), or --endpoint-type for servebench's own");
    };
  }

  /** Parses an {@code --endpoint-type} value. */
  public static EndpointType parse(String value) {
    for (EndpointType type : values()) {
      if (type.flagValue.equalsIgnoreCase(value)) {
        return type;
      }
    }
    throw new InvalidInputException(
        "unknown --endpoint-type '"
            + value
            + "': use one of "
            + Arrays.stream(values())
                .map(EndpointType::flagValue)
                .collect(Collectors.joining(", ")));
  }
}
