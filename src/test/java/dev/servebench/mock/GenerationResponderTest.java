package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenerationResponderTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 9, 10, 15, 16, 17, 255, 256, 4095, 4096, 70_000})
  void aChunkIsFramedInPlaceWithItsSizeInHex(int size) {
    ByteBuf data = Unpooled.buffer();
    data.writerIndex(10).readerIndex(10);
    data.writeBytes("x".repeat(size).getBytes(StandardCharsets.US_ASCII));

    String framed = GenerationResponder.frameChunk(data).toString(StandardCharsets.US_ASCII);

    assertThat(framed).isEqualTo(Integer.toHexString(size) + "\r\n" + "x".repeat(size) + "\r\n");
  }
}
