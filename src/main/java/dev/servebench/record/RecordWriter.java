package dev.servebench.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.exposition.Sample;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Streams records to a JSONL file as they finish: a {@code "record":"run"} header line, then one
 * {@code "record":"request"} line per request, and with {@code --server-metrics} a {@code
 * "record":"server_metrics"} line per scrape of the server's metrics. Nothing is kept in memory
 * after it is written, and {@link #flush()} at intervals bounds what a crash can lose.
 *
 * <p>Times are written in nanoseconds since the run's start ({@code *_ns}); a stamp that was never
 * taken is {@code null}, never a sentinel number.
 */
public final class RecordWriter implements Closeable {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory JSON = MAPPER.getFactory();

  private final OutputStream out;
  private final JsonGenerator json;

  private RecordWriter(OutputStream out) throws IOException {
    this.out = out;
    this.json = JSON.createGenerator(out);
    // No whitespace anywhere; each object ends with its own newline (see endLine).
    json.setPrettyPrinter(new MinimalPrettyPrinter(""));
  }

  /** Creates {@code path} (it must not exist yet) and writes the run's header line. */
  public static RecordWriter create(Path path, RunInfo run) throws IOException {
    OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            1 << 16);
    RecordWriter writer = new RecordWriter(out);
    writer.writeRun(run);
    return writer;
  }

  /**
   * Cuts {@code path} back to its last whole line, after a write to it failed part-way (a full
   * disk): a reader then sees every record written before and no torn one. Shortening a file frees
   * space, so this works on the full disk itself. A missing file is left alone.
   */
  public static void truncateToLastLine(Path path) {
    if (path == null || !Files.exists(path)) {
      return;
    }
    try (FileChannel file =
        FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer block = ByteBuffer.allocate(8192);
      long end = file.size();
      while (end > 0) {
        long start = Math.max(0, end - block.capacity());
        block.clear().limit((int) (end - start));
        file.read(block, start);
        for (int i = block.position() - 1; i >= 0; i--) {
          if (block.get(i) == '\n') {
            file.truncate(start + i + 1);
            return;
          }
        }
        end = start;
      }
      file.truncate(0);
    } catch (IOException cannot) {
      // The reader skips a torn last line anyway, and says so.
    }
  }

  /** Writes to a stream the caller owns (the JMH benchmarks write to a null stream). */
  public static RecordWriter to(OutputStream out, RunInfo run) throws IOException {
    RecordWriter writer = new RecordWriter(out);
    writer.writeRun(run);
    return writer;
  }

  private void writeRun(RunInfo run) throws IOException {
    json.writeStartObject();
    json.writeStringField("record", "run");
    json.writeStringField("run_id", run.runId());
    json.writeStringField("servebench_version", run.toolVersion());
    json.writeStringField("started_at", run.startedAt().toString());
    writeRate(run.configuredRatePerSecond());
    json.writeFieldName("configuration");
    MAPPER.writeValue(json, run.configuration());
    RunInfo.Client client = run.client();
    if (client != null) {
      json.writeObjectFieldStart("client");
      json.writeStringField("java_version", client.javaVersion());
      json.writeStringField("java_vm", client.javaVm());
      json.writeStringField("os", client.os());
      json.writeStringField("cpu_model", client.cpuModel());
      json.writeNumberField("cores", client.cores());
      json.writeNumberField("memory_bytes", client.memoryBytes());
      json.writeNumberField("max_heap_bytes", client.maxHeapBytes());
      json.writeEndObject();
    }
    json.writeEndObject();
    json.writeRaw('\n');
    flush();
  }

  /** JSON has no Infinity: an unbounded rate is written as the string "inf". */
  private void writeRate(double ratePerSecond) throws IOException {
    if (Double.isFinite(ratePerSecond)) {
      json.writeNumberField("configured_rate_per_s", ratePerSecond);
    } else {
      json.writeStringField("configured_rate_per_s", "inf");
    }
  }

  /** Appends one request's line (buffered until {@link #flush()}). */
  public void write(RequestRecord record) throws IOException {
    json.writeStartObject();
    json.writeStringField("record", "request");
    json.writeNumberField("index", record.index());
    json.writeStringField(
        "status", record.succeeded() ? "ok" : record.cancelled() ? "cancelled" : "failed");
    json.writeBooleanField("warmup", record.warmup());
    // Only a multi-turn session's requests carry these: older readers and files have none.
    if (record.turn() != null) {
      json.writeNumberField("session", record.turn().session());
      json.writeNumberField("turn", record.turn().number());
      json.writeNumberField("session_turns", record.turn().turns());
    }
    json.writeNumberField("attempts", record.outcome().attempts());
    if (!record.outcome().attemptErrors().isEmpty()) {
      json.writeArrayFieldStart("attempt_errors");
      for (String error : record.outcome().attemptErrors()) {
        json.writeString(error);
      }
      json.writeEndArray();
    }
    json.writeBooleanField("streamed", record.streamed());
    writeStamp("intended_ns", record.stamps().intendedNanos());
    writeStamp("sent_ns", record.stamps().sentNanos());
    writeStamp("first_sent_ns", record.stamps().firstSentNanos());
    writeStamp("headers_ns", record.stamps().headersNanos());
    writeStamp("first_token_ns", record.stamps().firstTokenNanos());
    writeStamp("last_token_ns", record.stamps().lastTokenNanos());
    writeStamp("end_ns", record.stamps().endNanos());
    writeStamp("first_content_ns", record.stamps().firstContentNanos());
    json.writeFieldName("chunk_ns");
    json.writeArray(record.chunks().nanos(), 0, record.chunks().nanos().length);
    json.writeFieldName("chunk_tokens");
    json.writeArray(record.chunks().tokens(), 0, record.chunks().tokens().length);
    json.writeStringField(
        "chunk_tokens_source",
        record.chunks().tokensSource() == null ? null : record.chunks().tokensSource().label());
    json.writeNumberField("prompt_tokens", record.tokens().prompt());
    json.writeStringField("prompt_tokens_source", record.tokens().promptSource().label());
    json.writeNumberField("prompt_tokens_local", record.tokens().localPrompt());
    writeCount("prompt_tokens_server", record.tokens().serverPrompt());
    json.writeNumberField("requested_output_tokens", record.tokens().requestedOutput());
    json.writeNumberField("output_tokens", record.tokens().output());
    json.writeStringField("output_tokens_source", record.tokens().outputSource().label());
    writeCount("http_status", record.outcome().httpStatus());
    json.writeStringField(
        "failure_reason",
        record.outcome().failureReason() == null ? null : record.outcome().failureReason().label());
    json.writeStringField("error", record.outcome().error());
    if (record.texts().prompt() != null) {
      json.writeStringField("prompt", record.texts().prompt());
    }
    if (record.texts().output() != null) {
      json.writeStringField("output", record.texts().output());
    }
    json.writeEndObject();
    json.writeRaw('\n');
  }

  private void writeStamp(String name, long nanos) throws IOException {
    if (nanos == RequestRecord.ABSENT) {
      json.writeNullField(name);
    } else {
      json.writeNumberField(name, nanos);
    }
  }

  private void writeCount(String name, int count) throws IOException {
    if (count < 0) {
      json.writeNullField(name);
    } else {
      json.writeNumberField(name, count);
    }
  }

  /**
   * Appends one scrape of the server's metrics (buffered until {@link #flush()}): a {@code
   * "record":"server_metrics"} line with the scrape's stamp, the families' declared types and every
   * sample as {@code "series": value}, or the scrape's error. Values that JSON has no number for
   * are the strings {@code "NaN"}, {@code "+Inf"} and {@code "-Inf"}.
   */
  public void write(ServerScrape scrape) throws IOException {
    json.writeStartObject();
    json.writeStringField("record", "server_metrics");
    json.writeNumberField("at_ns", scrape.atNanos());
    json.writeNumberField("took_ns", scrape.tookNanos());
    if (scrape.succeeded()) {
      json.writeObjectFieldStart("types");
      for (Map.Entry<String, String> type : new TreeMap<>(scrape.exposition().types()).entrySet()) {
        json.writeStringField(type.getKey(), type.getValue());
      }
      json.writeEndObject();
      json.writeObjectFieldStart("samples");
      for (Sample sample : scrape.exposition().samples()) {
        json.writeFieldName(sample.series());
        double value = sample.value();
        if (Double.isNaN(value)) {
          json.writeString("NaN");
        } else if (Double.isInfinite(value)) {
          json.writeString(value > 0 ? "+Inf" : "-Inf");
        } else {
          json.writeNumber(value);
        }
      }
      json.writeEndObject();
    } else {
      json.writeStringField("error", scrape.error());
    }
    json.writeEndObject();
    json.writeRaw('\n');
  }

  /**
   * Writes the closing line with what only the live run could measure. A file without it was cut
   * off (the process was killed); its requests still report.
   */
  public void writeEnd(RunEnd end) throws IOException {
    json.writeStartObject();
    json.writeStringField("record", "end");
    json.writeBooleanField("interrupted", end.interrupted());
    json.writeNumberField("planned_requests", end.plannedRequests());
    json.writeNumberField("sent_requests", end.sentRequests());
    json.writeNumberField("peak_in_flight", end.peakInFlight());
    json.writeNumberField("client_cpu_ns", end.clientCpuNanos());
    json.writeNumberField("run_wall_ns", end.runWallNanos());
    json.writeNumberField("available_processors", end.availableProcessors());
    json.writeNumberField("max_concurrency", end.maxConcurrency());
    json.writeNumberField("io_threads_cpu_wait_ns", end.ioThreadsCpuWaitNanos());
    json.writeNumberField("connections_opened_ahead", end.connectionsOpenedAhead());
    json.writeEndObject();
    json.writeRaw('\n');
    flush();
  }

  /** Pushes buffered lines to the file. */
  public void flush() throws IOException {
    json.flush();
  }

  @Override
  public void close() throws IOException {
    // The file is closed even when the last bytes cannot be written (a full disk).
    try {
      json.flush();
      json.close();
    } finally {
      out.close();
    }
  }
}
