package dev.servebench.endpoint;

import dev.servebench.error.InvalidInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The protocols servebench speaks, by their {@code --endpoint-type} names. */
public enum EndpointType {
  SIMPLE("simple"),
  OPENAI_CHAT("openai-chat"),
  OPENAI_COMPLETIONS("openai-completions");

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
   * @param routeOverride the simple endpoint's route instead of {@code /<model>}, or {@code null}
   */
  public EndpointAdapter adapter(String routeOverride) {
    return switch (this) {
      case SIMPLE -> new SimpleEndpoint(routeOverride);
      case OPENAI_CHAT -> new OpenAiEndpoint(true);
      case OPENAI_COMPLETIONS -> new OpenAiEndpoint(false);
    };
  }

  /** Whether the endpoint lists its models at {@code /v1/models}. */
  public boolean isOpenAi() {
    return this != SIMPLE;
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
