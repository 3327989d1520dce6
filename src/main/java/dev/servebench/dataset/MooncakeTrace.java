package dev.servebench.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Mooncake trace, read line by line: one JSON object per line, {@code {"timestamp": 27482,
 * "input_length": 6955, "output_length": 52, "hash_ids": [46, 47, ...]}}, the timestamp in
 * milliseconds (a whole or fractional number), {@code hash_ids} optional. Other fields are ignored,
 * blank lines skipped.
 */
final class MooncakeTrace implements TraceDataset.Rows {

  static final String LINE_SHAPE =
      "{\"timestamp\": <milliseconds>, \"input_length\": <tokens>, \"output_length\": <tokens>,"
          + " \"hash_ids\": [<block hash>, ...]}";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BYTE_ORDER_MARK = "\uFEFF";
  private static final long[] NO_HASH_IDS = {};

  private final Path file;
  private final BufferedReader reader;
  private long lineNumber;

  private MooncakeTrace(Path file, BufferedReader reader) {
    this.file = file;
    this.reader = reader;
  }

  static MooncakeTrace open(Path file) throws IOException {
    return new MooncakeTrace(file, Files.newBufferedReader(file, StandardCharsets.UTF_8));
  }

  @Override
  public TraceDataset.Row next() throws IOException {
    for (String text = reader.readLine(); text != null; text = reader.readLine()) {
      lineNumber++;
      if (lineNumber == 1 && text.startsWith(BYTE_ORDER_MARK)) {
        text = text.substring(1);
      }
      if (!text.isBlank()) {
        return parse(text);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  private TraceDataset.Row parse(String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw bad(
          "is not valid JSON at column "
              + (e.getLocation() == null ? "?" : e.getLocation().getColumnNr())
              + " ("
              + e.getOriginalMessage()
              + ")");
    }
    if (!node.isObject()) {
      throw bad("is not a JSON object");
    }
    JsonNode timestamp = node.get("timestamp");
    if (timestamp == null || !timestamp.isNumber()) {
      throw bad("has no number field \"timestamp\" (milliseconds)");
    }
    long timestampNanos;
    try {
      timestampNanos =
          timestamp
              .decimalValue()
              .movePointRight(6)
              .setScale(0, RoundingMode.HALF_EVEN)
              .longValueExact();
    } catch (ArithmeticException tooLarge) {
      throw bad("has \"timestamp\" " + timestamp + ", too large for milliseconds");
    }
    long[] hashIds = NO_HASH_IDS;
    JsonNode hashes = node.get("hash_ids");
    if (hashes != null && !hashes.isNull()) {
      if (!hashes.isArray()) {
        throw bad("has \"hash_ids\" that is not an array of whole numbers");
      }
      hashIds = new long[hashes.size()];
      for (int i = 0; i < hashIds.length; i++) {
        JsonNode hash = hashes.get(i);
        if (!hash.isIntegralNumber() || !hash.canConvertToLong()) {
          throw bad("has \"hash_ids\"[" + i + "] " + hash + ", not a whole number");
        }
        hashIds[i] = hash.longValue();
      }
    }
    return new TraceDataset.Row(
        lineNumber,
        timestampNanos,
        tokens(node, "input_length"),
        tokens(node, "output_length"),
        hashIds);
  }

  private int tokens(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null
        || !value.isNumber()
        || !value.canConvertToExactIntegral()
        || !value.canConvertToInt()) {
      throw bad("has no whole-number field \"" + field + "\"");
    }
    if (value.asInt() < 0) {
      throw bad("has \"" + field + "\" " + value.asInt() + ", below 0");
    }
    return value.asInt();
  }

  private RuntimeException bad(String problem) {
    return TraceDataset.bad(file, lineNumber, problem + ": every line must be " + LINE_SHAPE);
  }
}
