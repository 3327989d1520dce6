package dev.servebench.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.InvalidInputException;
import dev.servebench.exposition.Exposition;
import dev.servebench.exposition.ExpositionParser;
import dev.servebench.exposition.Sample;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a records file written by {@link RecordWriter}, one line at a time, so a file of millions
 * of requests is re-reported in constant memory (the scrapes of the server's metrics are handed on
 * one at a time too). A torn last line (the run was killed mid-write) is skipped and reported as a
 * warning; a damaged line elsewhere is an error naming its number.
 */
public final class RecordReader {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * The run header, the closing line ({@code null} when the file was cut off before it) and what
   * had to be skipped.
   */
  public record Result(RunInfo run, RunEnd end, long requestCount, List<String> warnings) {}

  private RecordReader() {}

  /** Reads {@code path}, handing each request record to {@code onRecord} in file order. */
  public static Result read(Path path, Consumer<RequestRecord> onRecord) {
    return read(path, run -> {}, onRecord);
  }

  /**
   * Reads {@code path}: the run header to {@code onRun} first, then each request record to {@code
   * onRecord} in file order.
   */
  public static Result read(Path path, Consumer<RunInfo> onRun, Consumer<RequestRecord> onRecord) {
    return read(path, onRun, onRecord, scrape -> {});
  }

  /**
   * Reads {@code path}: the run header to {@code onRun} first, then each request record to {@code
   * onRecord} and each scrape of the server's metrics to {@code onServerScrape}, in file order.
   *
   * <p>A line of a kind this version does not know (written by a later servebench) is skipped and
   * counted in a warning, so that what it does know still reports.
   */
  public static Result read(
      Path path,
      Consumer<RunInfo> onRun,
      Consumer<RequestRecord> onRecord,
      Consumer<ServerScrape> onServerScrape) {
    if (Files.isDirectory(path)) {
      throw new InvalidInputException(
          "records file " + path + " is a directory: pass the *-records.jsonl file inside it");
    }
    List<String> warnings = new ArrayList<>();
    RunInfo run = null;
    RunEnd end = null;
    long count = 0;
    Map<String, Long> unknownKinds = new LinkedHashMap<>();
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line = reader.readLine();
      long lineNumber = 0;
      while (line != null) {
        lineNumber++;
        String next = reader.readLine();
        if (!line.isBlank()) {
          JsonNode node;
          try {
            node = MAPPER.readTree(line);
          } catch (JsonProcessingException damaged) {
            if (next == null) {
              warnings.add(
                  "skipped the torn last line "
                      + lineNumber
                      + " (the run was cut off while writing it)");
              break;
            }
            throw new InvalidInputException(
                "records file "
                    + path
                    + ", line "
                    + lineNumber
                    + " is not JSON: "
                    + damaged.getOriginalMessage());
          }
          String kind = node.path("record").asText();
          if ("run".equals(kind)) {
            try {
              run = runInfo(node);
            } catch (RuntimeException damaged) {
              throw new InvalidInputException(
                  "records file "
                      + path
                      + ", line "
                      + lineNumber
                      + ": damaged run header ("
                      + damaged.getMessage()
                      + ")");
            }
            onRun.accept(run);
          } else if ("end".equals(kind)) {
            end = runEnd(node);
          } else if ("request".equals(kind)) {
            if (run == null) {
              throw new InvalidInputException(
                  "records file "
                      + path
                      + " has no run header line: is it a servebench records file?");
            }
            onRecord.accept(requestRecord(node, path, lineNumber));
            count++;
          } else if ("server_metrics".equals(kind)) {
            onServerScrape.accept(serverScrape(node, path, lineNumber));
          } else if (run != null && !kind.isEmpty()) {
            unknownKinds.merge(kind, 1L, Long::sum);
          } else {
            throw new InvalidInputException(
                "records file "
                    + path
                    + ", line "
                    + lineNumber
                    + " is not a servebench record (no \"record\": \"run\" or \"request\")");
          }
        }
        line = next;
      }
    } catch (NoSuchFileException missing) {
      throw new InvalidInputException("records file " + path + " does not exist");
    } catch (CharacterCodingException binary) {
      throw new InvalidInputException(
          "records file "
              + path
              + " is not UTF-8 text (is it a binary file?): pass a servebench records file,"
              + " <run-id>-records.jsonl");
    } catch (IOException unreadable) {
      throw new InvalidInputException(
          "cannot read records file " + path + ": " + unreadable.getMessage());
    }
    if (run == null) {
      throw new InvalidInputException(
          "records file "
              + path
              + " is empty or has no run header line: is it a servebench records file?");
    }
    unknownKinds.forEach(
        (kind, lines) ->
            warnings.add(
                "skipped "
                    + lines
                    + " line(s) of kind \""
                    + kind
                    + "\", which this servebench does not know (a later version wrote them)"));
    if (end == null) {
      warnings.add("the file has no closing line: the run was cut off; reporting what it recorded");
    }
    return new Result(run, end, count, warnings);
  }

  /**
   * The run header of {@code path}, its first line, read alone: a merge checks its inputs and lines
   * up their clocks before it reads any record.
   */
  public static RunInfo readHeader(Path path) {
    if (Files.isDirectory(path)) {
      throw new InvalidInputException(
          "records file " + path + " is a directory: pass the *-records.jsonl file inside it");
    }
    long lineNumber = 1;
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line = reader.readLine();
      while (line != null && line.isBlank()) {
        line = reader.readLine();
        lineNumber++;
      }
      JsonNode node = line == null ? null : MAPPER.readTree(line);
      if (node == null || !"run".equals(node.path("record").asText())) {
        throw new InvalidInputException(
            "records file "
                + path
                + " is empty or has no run header line: is it a servebench records file?");
      }
      return runInfo(node);
    } catch (NoSuchFileException missing) {
      throw new InvalidInputException("records file " + path + " does not exist");
    } catch (CharacterCodingException binary) {
      throw new InvalidInputException(
          "records file "
              + path
              + " is not UTF-8 text (is it a binary file?): pass a servebench records file,"
              + " <run-id>-records.jsonl");
    } catch (JsonProcessingException damaged) {
      throw new InvalidInputException(
          "records file "
              + path
              + ", line "
              + lineNumber
              + " is not JSON: "
              + damaged.getOriginalMessage());
    } catch (IOException unreadable) {
      throw new InvalidInputException(
          "cannot read records file " + path + ": " + unreadable.getMessage());
    } catch (RuntimeException damaged) {
      if (damaged instanceof InvalidInputException) {
        throw damaged;
      }
      throw new InvalidInputException(
          "records file "
              + path
              + ", line "
              + lineNumber
              + ": damaged run header ("
              + damaged.getMessage()
              + ")");
    }
  }

  /**
   * The request records of a file written by {@link RecordWriter}, pulled one at a time, for a
   * merge that reads several sorted files in step; the header and lines of other kinds are passed
   * over. Only for files this process wrote itself and closed: a damaged line is an error.
   */
  public static final class Cursor implements Closeable {

    private final Path path;
    private final BufferedReader reader;
    private long lineNumber;

    private Cursor(Path path, BufferedReader reader) {
      this.path = path;
      this.reader = reader;
    }

    /** Opens {@code path} at its first line. */
    public static Cursor open(Path path) throws IOException {
      return new Cursor(path, Files.newBufferedReader(path, StandardCharsets.UTF_8));
    }

    /** The next request record, or {@code null} past the last. */
    public RequestRecord next() throws IOException {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = MAPPER.readTree(line);
        if ("request".equals(node.path("record").asText())) {
          return requestRecord(node, path, lineNumber);
        }
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  private static RunInfo runInfo(JsonNode node) {
    JsonNode rate = node.path("configured_rate_per_s");
    double ratePerSecond = rate.isNumber() ? rate.asDouble() : Double.POSITIVE_INFINITY;
    Map<String, Object> configuration =
        MAPPER.convertValue(node.path("configuration"), LinkedHashMap.class);
    return new RunInfo(
        node.path("run_id").asText(),
        node.path("servebench_version").asText(),
        Instant.parse(node.path("started_at").asText(Instant.EPOCH.toString())),
        ratePerSecond,
        configuration == null ? Map.of() : configuration,
        client(node.path("client")));
  }

  /** The client's machine, or {@code null} for a file written before it was kept. */
  private static RunInfo.Client client(JsonNode node) {
    if (!node.isObject()) {
      return null;
    }
    return new RunInfo.Client(
        node.path("java_version").asText(null),
        node.path("java_vm").asText(null),
        node.path("os").asText(null),
        node.path("cpu_model").isTextual() ? node.path("cpu_model").asText() : null,
        node.path("cores").asInt(-1),
        node.path("memory_bytes").asLong(-1),
        node.path("max_heap_bytes").asLong(-1));
  }

  private static RunEnd runEnd(JsonNode node) {
    return new RunEnd(
        node.path("interrupted").asBoolean(),
        node.path("planned_requests").asLong(),
        node.path("sent_requests").asLong(),
        node.path("peak_in_flight").asInt(),
        node.path("client_cpu_ns").asLong(),
        node.path("run_wall_ns").asLong(),
        node.path("available_processors").asInt(),
        node.path("max_concurrency").asInt(),
        // Records written before the figure existed: unknown.
        node.path("io_threads_cpu_wait_ns").asLong(-1),
        node.path("connections_opened_ahead").asInt(-1));
  }

  private static RequestRecord requestRecord(JsonNode node, Path path, long lineNumber) {
    try {
      JsonNode chunks = node.path("chunk_ns");
      long[] chunkNanos = new long[chunks.size()];
      for (int i = 0; i < chunkNanos.length; i++) {
        chunkNanos[i] = chunks.get(i).asLong();
      }
      JsonNode tokens = node.path("chunk_tokens");
      int[] chunkTokens = new int[chunkNanos.length];
      for (int i = 0; i < chunkTokens.length; i++) {
        chunkTokens[i] = tokens.path(i).asInt(1);
      }
      List<String> attemptErrors = new ArrayList<>();
      node.path("attempt_errors").forEach(error -> attemptErrors.add(error.asText()));
      String reason = textOrNull(node, "failure_reason");
      String chunkSource = textOrNull(node, "chunk_tokens_source");
      RequestRecord.Builder builder = RequestRecord.builder();
      if (node.hasNonNull("session")) {
        builder.turn(
            node.get("session").asInt(),
            required(node, "turn").asInt(),
            required(node, "session_turns").asInt());
      }
      return builder
          .index(required(node, "index").asInt())
          .warmup(node.path("warmup").asBoolean())
          .attempts(node.path("attempts").asInt(1), attemptErrors)
          .streamed(node.path("streamed").asBoolean())
          .intendedNanos(stamp(node, "intended_ns"))
          .sentNanos(stamp(node, "sent_ns"))
          // Records written before retries were: one attempt, sent once.
          .firstSentNanos(
              node.has("first_sent_ns") ? stamp(node, "first_sent_ns") : stamp(node, "sent_ns"))
          .headersNanos(stamp(node, "headers_ns"))
          .firstTokenNanos(stamp(node, "first_token_ns"))
          .lastTokenNanos(stamp(node, "last_token_ns"))
          .endNanos(stamp(node, "end_ns"))
          .firstContentNanos(stamp(node, "first_content_ns"))
          .chunks(
              chunkNanos,
              chunkTokens,
              chunkSource == null ? null : TokenSource.fromLabel(chunkSource))
          .promptTokens(
              required(node, "prompt_tokens").asInt(),
              TokenSource.fromLabel(required(node, "prompt_tokens_source").asText()))
          .localPromptTokens(node.path("prompt_tokens_local").asInt(-1))
          .serverPromptTokens(node.path("prompt_tokens_server").asInt(-1))
          .requestedOutputTokens(node.path("requested_output_tokens").asInt(-1))
          .outputTokens(
              required(node, "output_tokens").asInt(),
              TokenSource.fromLabel(required(node, "output_tokens_source").asText()))
          .httpStatus(node.path("http_status").asInt(-1))
          .failure(
              reason == null ? null : FailureReason.fromLabel(reason), textOrNull(node, "error"))
          .texts(textOrNull(node, "prompt"), textOrNull(node, "output"))
          .build();
    } catch (IllegalArgumentException bad) {
      throw new InvalidInputException(
          "records file " + path + ", line " + lineNumber + ": " + bad.getMessage());
    }
  }

  private static ServerScrape serverScrape(JsonNode node, Path path, long lineNumber) {
    try {
      long atNanos = required(node, "at_ns").asLong();
      long tookNanos = node.path("took_ns").asLong();
      if (node.hasNonNull("error")) {
        return ServerScrape.failed(atNanos, tookNanos, node.get("error").asText());
      }
      Map<String, String> types = new LinkedHashMap<>();
      node.path("types")
          .properties()
          .forEach(type -> types.put(type.getKey(), type.getValue().asText()));
      List<Sample> samples = new ArrayList<>();
      for (Map.Entry<String, JsonNode> sample : required(node, "samples").properties()) {
        samples.add(ExpositionParser.parseSeries(sample.getKey(), sampleValue(sample.getValue())));
      }
      return ServerScrape.read(atNanos, tookNanos, new Exposition(samples, types));
    } catch (IllegalArgumentException bad) {
      throw new InvalidInputException(
          "records file "
              + path
              + ", line "
              + lineNumber
              + ": damaged server metrics ("
              + bad.getMessage()
              + ")");
    }
  }

  /** A number, or one of the strings the writer puts for what JSON has no number for. */
  private static double sampleValue(JsonNode value) {
    if (value.isNumber()) {
      return value.asDouble();
    }
    return switch (value.asText()) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> throw new IllegalArgumentException("'" + value.asText() + "' is not a value");
    };
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing field \"" + field + "\"");
    }
    return value;
  }

  private static long stamp(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? RequestRecord.ABSENT : value.asLong();
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
