package dev.servebench.dataset;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.servebench.config.FileStart;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks shared by the file-based formats, with messages that say what to pass instead. */
final class DatasetFiles {

  private DatasetFiles() {}

  /** {@code dataset} when it is a readable, non-empty file. */
  static Path requireReadableFile(Path dataset, DatasetFormat format) {
    if (dataset == null) {
      throw new InvalidInputException(
          "--dataset is required with --dataset-format "
              + format
              + ": pass the path of "
              + shape(format));
    }
    if (!Files.exists(dataset)) {
      throw new InvalidInputException(
          "dataset file " + dataset + " does not exist: check --dataset");
    }
    if (Files.isDirectory(dataset)) {
      throw new InvalidInputException(
          "dataset " + dataset + " is a directory: pass the path of " + shape(format) + " in it");
    }
    if (!Files.isReadable(dataset)) {
      throw new InvalidInputException(
          "cannot read dataset file " + dataset + ": check its permissions");
    }
    try {
      if (Files.size(dataset) == 0) {
        throw new InvalidInputException(
            "dataset file " + dataset + " is empty: pass " + shape(format));
      }
      // Refused at its first bytes rather than after reading it whole.
      if (FileStart.looksBinary(dataset)) {
        throw new InvalidInputException(
            "dataset file "
                + dataset
                + " is a binary file (it holds NUL bytes), not text: pass "
                + shape(format));
      }
    } catch (IOException e) {
      throw unreadable(dataset, e);
    }
    return dataset;
  }

  /** What a file of {@code format} holds, for messages. */
  static String shape(DatasetFormat format) {
    return switch (format) {
      case SHAREGPT ->
          "a ShareGPT JSON array of {\"conversations\": [{\"from\": \"human\", \"value\": ...},"
              + " {\"from\": \"gpt\", \"value\": ...}]} records";
      case IPEX -> "an IPEX prompt file: {\"<model type>\": {\"<input length>\": \"<prompt>\"}}";
      case JSONL -> "a JSONL file of {\"prompt\": \"...\", \"output_len\": 128} lines";
      case MOONCAKE ->
          "a Mooncake trace: JSONL of " + MooncakeTrace.LINE_SHAPE + " lines, in time order";
      case AZURE ->
          "an Azure LLM inference trace CSV: a TIMESTAMP,ContextTokens,GeneratedTokens header,"
              + " then rows in time order";
      case BURSTGPT ->
          "a BurstGPT trace CSV: a Timestamp,Model,Request tokens,Response tokens,Total"
              + " tokens,Log Type header, then rows in time order";
      case SYNTHESIS, RANDOM, SHARED_PREFIX -> "no file (" + format + " generates its prompts)";
    };
  }

  static InvalidInputException notJson(
      Path dataset, JsonProcessingException e, DatasetFormat format) {
    return new InvalidInputException(
        "dataset "
            + dataset
            + " is not valid JSON at "
            + location(e.getLocation())
            + " ("
            + e.getOriginalMessage()
            + "): pass "
            + shape(format),
        e);
  }

  static InvalidInputException unreadable(Path dataset, IOException e) {
    return new InvalidInputException(
        "cannot read dataset file " + dataset + " (" + e + "): check the file", e);
  }

  static String location(JsonLocation location) {
    return location == null
        ? "an unknown position"
        : "line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
