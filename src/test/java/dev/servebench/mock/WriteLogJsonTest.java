package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class WriteLogJsonTest {

  @Test
  void decodingWhatWasEncodedGivesEveryRequestBackAsItWas() throws IOException {
    List<RequestWrites> log =
        List.of(
            new RequestWrites(
                "req-\"1\"\\é",
                Long.MAX_VALUE - 7,
                OptionalLong.of(123_456_789_012L),
                List.of(new RequestWrites.Chunk(1L, 1), new RequestWrites.Chunk(Long.MAX_VALUE, 3)),
                4),
            new RequestWrites("cut-before-headers", 42, OptionalLong.empty(), List.of(), 0),
            new RequestWrites(
                "waited",
                100,
                OptionalLong.of(101),
                List.of(new RequestWrites.Chunk(900, 2, 899, 4)),
                2,
                Optional.of(new RequestWrites.Admission(7, 5, 102, 600))));

    byte[] body = WriteLogJson.encode(log);

    assertThat(WriteLogJson.decode(new ByteArrayInputStream(body))).isEqualTo(log);
  }

  @Test
  void anEmptyLogIsAnEmptyRequestsArray() throws IOException {
    byte[] body = WriteLogJson.encode(List.of());

    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"requests\":[]}");
    assertThat(WriteLogJson.decode(new ByteArrayInputStream(body))).isEmpty();
  }

  @Test
  void aBodyWithoutRequestsIsRefused() {
    byte[] body = "{\"error\":{}}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> WriteLogJson.decode(new ByteArrayInputStream(body)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a servebench write log");
  }
}
