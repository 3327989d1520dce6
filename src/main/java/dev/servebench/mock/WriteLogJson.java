package dev.servebench.mock;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The write log as the mock server hands it out on {@code GET /servebench/writes}, for a check run
 * in another process: {@code {"requests":[{"id":..,"received_ns":..,"headers_ns":..,"tokens":..,
 * "admission":[entry,admission,entered_ns,admitted_ns],"chunks":[[write_ns,tokens,due_ns,running],
 * ...]}]}} (see {@link RequestWrites}; a reader of the older two-element chunks still reads the
 * first two). Stamps are {@link System#nanoTime()}, which on Linux is {@code CLOCK_MONOTONIC}: the
 * same clock in every process of the host.
 */
public final class WriteLogJson {

  private WriteLogJson() {}

  /**
   * Streamed, not built as a tree: a tree holds four objects per chunk, and each megabyte the mock
   * allocates brings its collector's next cycle closer (on a server given one core, that cycle
   * takes the core from its event loop).
   */
  static byte[] encode(Collection<RequestWrites> log) {
    int chunks = 0;
    for (RequestWrites writes : log) {
      chunks += writes.chunks().size();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 96 * log.size() + 32 * chunks);
    try (JsonGenerator json = MockJson.MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("requests");
      for (RequestWrites writes : log) {
        json.writeStartObject();
        json.writeStringField("id", writes.requestId());
        json.writeNumberField("received_ns", writes.receivedNanos());
        if (writes.headersNanos().isPresent()) {
          json.writeNumberField("headers_ns", writes.headersNanos().getAsLong());
        }
        json.writeNumberField("tokens", writes.totalTokens());
        if (writes.admission().isPresent()) {
          RequestWrites.Admission admission = writes.admission().get();
          json.writeArrayFieldStart("admission");
          json.writeNumber(admission.entryNumber());
          json.writeNumber(admission.admissionNumber());
          json.writeNumber(admission.enteredNanos());
          json.writeNumber(admission.admittedNanos());
          json.writeEndArray();
        }
        json.writeArrayFieldStart("chunks");
        for (RequestWrites.Chunk chunk : writes.chunks()) {
          json.writeStartArray();
          json.writeNumber(chunk.writeNanos());
          json.writeNumber(chunk.tokens());
          json.writeNumber(chunk.dueNanos());
          json.writeNumber(chunk.runningSequences());
          json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  /**
   * Reads what {@link #encode} wrote.
   *
   * @throws IOException if the body is not a write log
   */
  public static List<RequestWrites> decode(InputStream body) throws IOException {
    JsonNode requests = MockJson.MAPPER.readTree(body).path("requests");
    if (!requests.isArray()) {
      throw new IOException("not a servebench write log: no \"requests\" array");
    }
    List<RequestWrites> log = new ArrayList<>(requests.size());
    for (JsonNode entry : requests) {
      JsonNode chunksNode = entry.path("chunks");
      List<RequestWrites.Chunk> chunks = new ArrayList<>(chunksNode.size());
      for (JsonNode chunk : chunksNode) {
        chunks.add(
            new RequestWrites.Chunk(
                chunk.path(0).asLong(),
                chunk.path(1).asInt(),
                chunk.path(2).asLong(),
                chunk.path(3).asInt()));
      }
      JsonNode headers = entry.path("headers_ns");
      JsonNode admission = entry.path("admission");
      log.add(
          new RequestWrites(
              entry.path("id").asText(),
              entry.path("received_ns").asLong(),
              headers.isNumber() ? OptionalLong.of(headers.asLong()) : OptionalLong.empty(),
              chunks,
              entry.path("tokens").asInt(),
              admission.isArray()
                  ? Optional.of(
                      new RequestWrites.Admission(
                          admission.path(0).asLong(),
                          admission.path(1).asLong(),
                          admission.path(2).asLong(),
                          admission.path(3).asLong()))
                  : Optional.empty()));
    }
    return log;
  }
}
