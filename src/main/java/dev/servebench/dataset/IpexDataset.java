package dev.servebench.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.StringJoiner;

/**
 * The IPEX prompt file, {@code {"<model type>": {"<input length>": "<prompt>"}}}: every request
 * sends the one prompt of {@code modelType} and {@code inputTokens}. The nominal length is only the
 * key; the prompt's length is what the run's tokenizer counts. Without {@code maxNewTokens} each
 * request asks for as many tokens as the prompt has, as the original benchmark did.
 */
final class IpexDataset {

  private static final ObjectMapper JSON = new ObjectMapper();

  private IpexDataset() {}

  static List<Prompt> load(DatasetOptions options, Tokenizer tokenizer) {
    Path file = DatasetFiles.requireReadableFile(options.dataset(), DatasetFormat.IPEX);
    String text = promptText(file, options.modelType(), options.inputTokens());
    int promptTokens = tokenizer.countTokens(text);
    int outputTokens = options.maxNewTokens() != null ? options.maxNewTokens() : promptTokens;
    return Collections.nCopies(options.numPrompts(), new Prompt(text, promptTokens, outputTokens));
  }

  private static String promptText(Path file, String modelType, int inputTokens) {
    JsonNode root = readTree(file);
    if (!root.isObject()) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " is not a JSON object: pass "
              + DatasetFiles.shape(DatasetFormat.IPEX));
    }
    if (root.isEmpty()) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " holds no model types: pass "
              + DatasetFiles.shape(DatasetFormat.IPEX));
    }
    JsonNode byLength = root.get(modelType);
    if (byLength == null) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " has no prompts for --model-type '"
              + modelType
              + "': use one of "
              + keys(root));
    }
    if (!byLength.isObject()) {
      throw new InvalidInputException(
          "dataset "
              + file
              + ", field \""
              + modelType
              + "\" is not an object of {\"<input length>\": \"<prompt>\"}: fix the file");
    }
    String length = String.valueOf(inputTokens);
    JsonNode prompt = byLength.get(length);
    if (prompt == null) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " has no prompt of --input-tokens "
              + inputTokens
              + " for model type '"
              + modelType
              + "': use one of "
              + keys(byLength));
    }
    if (!prompt.isTextual() || prompt.textValue().isBlank()) {
      throw new InvalidInputException(
          "dataset "
              + file
              + ", field \""
              + modelType
              + "\".\""
              + length
              + "\" is not a non-empty string: fix the file");
    }
    return prompt.textValue();
  }

  private static JsonNode readTree(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw DatasetFiles.notJson(file, e, DatasetFormat.IPEX);
    } catch (IOException e) {
      throw DatasetFiles.unreadable(file, e);
    }
  }

  private static String keys(JsonNode object) {
    StringJoiner names = new StringJoiner(", ");
    object.fieldNames().forEachRemaining(names::add);
    return names.toString();
  }
}
