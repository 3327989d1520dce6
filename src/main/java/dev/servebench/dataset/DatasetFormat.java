package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Where a run's prompts come from; {@link Datasets#load} turns each into prompts. */
public enum DatasetFormat {
  /** A JSON array of ShareGPT conversations; the first human turn is the prompt. */
  SHAREGPT("ShareGPT"),
  /** The IPEX prompt file: one fixed prompt per model type and input length. */
  IPEX("IPEX"),
  /** Random token ids of the tokenizer's vocabulary, with normally distributed lengths. */
  SYNTHESIS("Synthesis"),
  /** One JSON object per line: {@code {"prompt": "...", "output_len": 128}}. */
  JSONL("JSONL");

  private final String displayName;

  DatasetFormat(String displayName) {
    this.displayName = displayName;
  }

  /** The name users type and read, such as {@code ShareGPT}. */
  public String displayName() {
    return displayName;
  }

  @Override
  public String toString() {
    return displayName;
  }

  /**
   * The format named {@code name}, ignoring case.
   *
   * @throws InvalidInputException listing the formats when none matches
   */
  public static DatasetFormat parse(String name) {
    for (DatasetFormat format : values()) {
      if (format.displayName.equalsIgnoreCase(name == null ? "" : name.strip())) {
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
