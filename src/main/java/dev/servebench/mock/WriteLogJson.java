package dev.servebench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

/**
 * The write log as the mock server hands it out on {@code GET /servebench/writes}, for a check run
 * in another process: {@code {"requests":[{"id":..,"received_ns":..,"headers_ns":..,"tokens":..,
 * "chunks":[[write_ns,tokens],...]}]}}. Stamps are {@link System#nanoTime()}, which on Linux is
 * {@code CLOCK_MONOTONIC}: the same clock in every process of the machine.
 */
public final class WriteLogJson {

  private WriteLogJson() {}

  static byte[] encode(Collection<RequestWrites> log) {
    ObjectNode root = MockJson.object();
    ArrayNode requests = root.putArray("requests");
    for (RequestWrites writes : log) {
      ObjectNode entry = requests.addObject();
      entry.put("id", writes.requestId()).put("received_ns", writes.receivedNanos());
      writes.headersNanos().ifPresent(nanos -> entry.put("headers_ns", nanos));
      entry.put("tokens", writes.totalTokens());
      ArrayNode chunks = entry.putArray("chunks");
      for (RequestWrites.Chunk chunk : writes.chunks()) {
        chunks.addArray().add(chunk.writeNanos()).add(chunk.tokens());
      }
    }
    return MockJson.bytes(root);
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
        chunks.add(new RequestWrites.Chunk(chunk.path(0).asLong(), chunk.path(1).asInt()));
      }
      JsonNode headers = entry.path("headers_ns");
      log.add(
          new RequestWrites(
              entry.path("id").asText(),
              entry.path("received_ns").asLong(),
              headers.isNumber() ? OptionalLong.of(headers.asLong()) : OptionalLong.empty(),
              chunks,
              entry.path("tokens").asInt()));
    }
    return log;
  }
}
