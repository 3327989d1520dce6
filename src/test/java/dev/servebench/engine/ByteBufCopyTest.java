package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteBufCopyTest {

  private static final byte[] TEXT =
      "data: {\"choices\":[{\"delta\":{\"content\":\"sea\"}}]}\n\n"
          .getBytes(StandardCharsets.UTF_8);

  @Test
  void copiesTheSameBytesFromHeapDirectPooledAndCompositeBuffers() {
    ByteBuf composite = compositeOf(TEXT);
    ByteBuf pooledDirect = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(TEXT);
    List<ByteBuf> buffers =
        List.of(
            Unpooled.wrappedBuffer(TEXT),
            Unpooled.directBuffer().writeBytes(TEXT),
            pooledDirect,
            composite);
    try {
      for (ByteBuf buffer : buffers) {
        for (int index = 0; index < TEXT.length; index += 7) {
          int length = Math.min(11, TEXT.length - index);
          byte[] target = new byte[length + 3];
          ByteBufCopy.copy(buffer, index, target, 3, length);
          byte[] expected = new byte[length + 3];
          System.arraycopy(TEXT, index, expected, 3, length);
          assertThat(target)
              .as("%s at %d", buffer.getClass().getSimpleName(), index)
              .isEqualTo(expected);
        }
        // Reading through the buffer's internal view leaves its indexes alone.
        assertThat(buffer.readerIndex()).isZero();
        assertThat(buffer.writerIndex()).isEqualTo(TEXT.length);
      }
    } finally {
      buffers.forEach(ByteBuf::release);
    }
  }

  @Test
  void aCopyDoesNotDisturbTheNextOneFromTheSameBuffer() {
    ByteBuf buffer = Unpooled.directBuffer().writeBytes(TEXT);
    try {
      byte[] first = new byte[4];
      byte[] second = new byte[4];
      ByteBufCopy.copy(buffer, 0, first, 0, 4);
      ByteBufCopy.copy(buffer, 6, second, 0, 4);
      assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo("data");
      assertThat(new String(second, StandardCharsets.US_ASCII)).isEqualTo("{\"ch");
    } finally {
      buffer.release();
    }
  }

  private static ByteBuf compositeOf(byte[] bytes) {
    CompositeByteBuf composite = Unpooled.compositeBuffer();
    int half = bytes.length / 2;
    composite.addComponent(true, Unpooled.directBuffer().writeBytes(bytes, 0, half));
    composite.addComponent(true, Unpooled.wrappedBuffer(bytes, half, bytes.length - half));
    return composite;
  }
}
