package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Where a run's prompts come from; {@link Datasets#load} turns each into prompts. */
public enum DatasetFormat {
  /** A JSON array of ShareGPT conversations; the first human turn is the prompt. */
  SHAREGPT("ShareGPT"),
  /** The IPEX prompt file: one fixed prompt per model type and input length. */
  IPEX("IPEX"),
  /** Random token ids of the tokenizer's vocabulary, with normally distributed lengths. */
  SYNTHESIS("Synthesis"),
  /**
   * One JSON object per line: {@code {"prompt": "...", "output_len": 128}}; vLLM's {@code custom}
   * (whose lines may leave the length to {@code --custom-output-len}).
   */
  JSONL("JSONL", "custom"),
  /**
   * vLLM's random dataset: lengths drawn uniformly around a mean, optionally after one shared
   * prefix.
   */
  RANDOM("Random"),
  /** SGLang's generated-shared-prefix: groups of prompts, each group sharing a system prompt. */
  SHARED_PREFIX("SharedPrefix", "generated-shared-prefix"),
  /** A Mooncake trace (JSONL): arrival times, lengths and the shared prefix blocks of each row. */
  MOONCAKE("Mooncake"),
  /** An Azure LLM inference trace (CSV): arrival times and lengths. */
  AZURE("Azure", "AzureTrace"),
  /** A BurstGPT trace (CSV): arrival times and lengths. */
  BURSTGPT("BurstGPT");

  private final String displayName;
  private final List<String> aliases;

  DatasetFormat(String displayName, String... aliases) {
    this.displayName = displayName;
    this.aliases = List.of(aliases);
  }

  /** The name users type and read, such as {@code ShareGPT}. */
  public String displayName() {
    return displayName;
  }

  /** Whether the prompts come from a {@code --dataset} file rather than a generator. */
  public boolean readsFile() {
    return switch (this) {
      case SYNTHESIS, RANDOM, SHARED_PREFIX -> false;
      case SHAREGPT, IPEX, JSONL, MOONCAKE, AZURE, BURSTGPT -> true;
    };
  }

  /**
   * Whether the file is a trace: each row has an arrival time, and a run replays those times unless
   * it is given a rate or a concurrency of its own.
   */
  public boolean isTrace() {
    return this == MOONCAKE || this == AZURE || this == BURSTGPT;
  }

  @Override
  public String toString() {
    return displayName;
  }

  /**
   * The format named {@code name}, ignoring case; other tools' names for the same format (SGLang's
   * {@code generated-shared-prefix}) are accepted too.
   *
   * @throws InvalidInputException listing the formats when none matches
   */
  public static DatasetFormat parse(String name) {
    String wanted = name == null ? "" : name.strip();
    for (DatasetFormat format : values()) {
      if (format.displayName.equalsIgnoreCase(wanted)
          || format.aliases.stream().anyMatch(wanted::equalsIgnoreCase)) {
        return format;
      }
    }
    throw new InvalidInputException(
        "unknown --dataset-format '" + name + "': use one of " + choices());
  }

  private static String choices() {
    return Arrays.stream(values())
        .map(DatasetFormat::displayName)
        .collect(Collectors.joining(", "));
  }
}
