package dev.servebench.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.servebench.record.RequestRecord;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The seed script's {@code latency_tracking_<time>.json}, written as requests finish: a JSON array,
 * in completion order, of one {@code [prompt, output, prompt_len, generate_len, latency_s,
 * [chunk_latency_s, ...]]} per successful measured request, so its downstream scripts run
 * unchanged. Prompt and output are {@code null} unless the run keeps them ({@code
 * --track-input-output}); the chunk latencies are the time to the first token-bearing chunk and
 * then each gap between them (the seed's first one started at the headers and counted the role
 * chunk: see docs/metrics.md); latency is the request's E2E.
 */
public final class SeedLatencyTracking implements Closeable {

  private final OutputStream file;
  private final JsonGenerator json;

  private SeedLatencyTracking(OutputStream file, JsonGenerator json) {
    this.file = file;
    this.json = json;
  }

  /** Opens {@code path} for writing and starts the array. */
  public static SeedLatencyTracking create(Path path) throws IOException {
    OutputStream file = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
    JsonGenerator json = new JsonFactory().createGenerator(file);
    json.writeStartArray();
    return new SeedLatencyTracking(file, json);
  }

  /** Adds a finished request; warm-up and failed requests are left out, as the seed left them. */
  public void add(RequestRecord record) throws IOException {
    if (record.warmup() || !record.succeeded() || record.e2eNanos() == RequestRecord.ABSENT) {
      return;
    }
    json.writeStartArray();
    json.writeString(record.texts().prompt());
    json.writeString(record.texts().output());
    json.writeNumber(record.tokens().prompt());
    json.writeNumber(record.tokens().output());
    json.writeNumber(record.e2eNanos() / 1e9);
    json.writeStartArray();
    long[] chunks = record.chunks().nanos();
    long previousNanos = record.stamps().sentNanos();
    for (long chunkNanos : chunks) {
      json.writeNumber((chunkNanos - previousNanos) / 1e9);
      previousNanos = chunkNanos;
    }
    json.writeEndArray();
    json.writeEndArray();
  }

  /** Ends the array and closes the file. */
  @Override
  public void close() throws IOException {
    // The file is closed even when the last bytes cannot be written (a full disk).
    try {
      json.writeEndArray();
      json.close();
    } finally {
      file.close();
    }
  }
}
