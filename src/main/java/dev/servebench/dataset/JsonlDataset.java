package dev.servebench.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One request per line: {@code {"prompt": "...", "output_len": 128}} (vLLM's custom dataset's
 * {@code output_tokens} is read for {@code output_len}; other fields are ignored, blank lines
 * skipped). Like ShareGPT, {@code numPrompts} lines are sampled without replacement with the seed,
 * and a file with fewer lines is an error rather than being repeated: a run never sends the same
 * prompt twice unless the file says so. Only the sampled prompts are tokenized.
 */
final class JsonlDataset {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String BYTE_ORDER_MARK = "\uFEFF";

  private static final String LINE_SHAPE = "{\"prompt\": \"...\", \"output_len\": 128}";

  private record Line(String prompt, int outputTokens) {}

  private JsonlDataset() {}

  static List<Prompt> load(DatasetOptions options, Tokenizer tokenizer) {
    Path file = DatasetFiles.requireReadableFile(options.dataset(), DatasetFormat.JSONL);
    List<Line> lines = read(file);
    if (lines.isEmpty()) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " holds only blank lines: pass "
              + DatasetFiles.shape(DatasetFormat.JSONL));
    }
    if (lines.size() < options.numPrompts()) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " has "
              + lines.size()
              + " prompts but --num-prompts asks for "
              + options.numPrompts()
              + ": lower --num-prompts to "
              + lines.size()
              + " or fewer, or add lines");
    }
    return Sampling.withoutReplacement(lines, options.numPrompts(), options.seed()).parallelStream()
        .map(
            line ->
                new Prompt(
                    line.prompt(), tokenizer.countTokens(line.prompt()), line.outputTokens()))
        .toList();
  }

  private static List<Line> read(Path file) {
    List<Line> lines = new ArrayList<>();
    int lineNumber = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String text = reader.readLine(); text != null; text = reader.readLine()) {
        lineNumber++;
        // Editors on Windows start UTF-8 files with a byte-order mark; Jackson skips it in the
        // JSON formats, so JSONL must too.
        if (lineNumber == 1 && text.startsWith(BYTE_ORDER_MARK)) {
          text = text.substring(1);
        }
        if (!text.isBlank()) {
          lines.add(parse(file, lineNumber, text));
        }
      }
    } catch (CharacterCodingException e) {
      // The reader decodes ahead of the lines it returns, so only "after" is certain.
      throw new InvalidInputException(
          "dataset "
              + file
              + " is not UTF-8 text: "
              + (lineNumber == 0
                  ? "a byte that is not UTF-8 comes within its first lines (is it a binary file?)"
                  : "an invalid byte follows line " + lineNumber)
              + "; pass a JSONL file saved as UTF-8",
          e);
    } catch (IOException e) {
      throw DatasetFiles.unreadable(file, e);
    }
    return lines;
  }

  private static Line parse(Path file, int lineNumber, String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw bad(
          file,
          lineNumber,
          "is not valid JSON at column "
              + (e.getLocation() == null ? "?" : e.getLocation().getColumnNr())
              + " ("
              + e.getOriginalMessage()
              + ")");
    }
    if (!node.isObject()) {
      throw bad(file, lineNumber, "is not a JSON object");
    }
    JsonNode prompt = node.get("prompt");
    if (prompt == null || !prompt.isTextual()) {
      throw bad(file, lineNumber, "has no string field \"prompt\"");
    }
    if (prompt.textValue().isBlank()) {
      throw bad(file, lineNumber, "has an empty \"prompt\"");
    }
    // vLLM's custom dataset names the length output_tokens.
    JsonNode outputLen =
        node.has("output_len") ? node.get("output_len") : node.get("output_tokens");
    if (outputLen == null
        || !outputLen.isNumber()
        || !outputLen.canConvertToExactIntegral()
        || !outputLen.canConvertToInt()) {
      throw bad(file, lineNumber, "has no whole-number field \"output_len\"");
    }
    if (outputLen.asInt() < 1) {
      throw bad(file, lineNumber, "has \"output_len\" " + outputLen.asInt() + ", below 1");
    }
    return new Line(prompt.textValue(), outputLen.asInt());
  }

  private static InvalidInputException bad(Path file, int lineNumber, String problem) {
    return new InvalidInputException(
        "dataset "
            + file
            + ", line "
            + lineNumber
            + " "
            + problem
            + ": every line must be "
            + LINE_SHAPE);
  }
}
