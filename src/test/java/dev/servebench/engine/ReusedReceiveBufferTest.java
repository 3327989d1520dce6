package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReusedReceiveBufferTest {

  private final ReusedReceiveBuffer allocator = new ReusedReceiveBuffer();

  @Test
  void everyConnectionOnAThreadReadsIntoTheSameBufferEmptiedForEachRead() {
    RecvByteBufAllocator.Handle first = allocator.newHandle();
    RecvByteBufAllocator.Handle second = allocator.newHandle();

    ByteBuf read = first.allocate(ByteBufAllocator.DEFAULT);
    assertThat(read.isDirect()).isTrue();
    assertThat(read.writableBytes()).isEqualTo(ReusedReceiveBuffer.CAPACITY);
    assertThat(first.guess()).isEqualTo(ReusedReceiveBuffer.CAPACITY);
    read.writeBytes(new byte[] {1, 2, 3}).readByte();
    read.release(); // as the reader does

    ByteBuf next = second.allocate(ByteBufAllocator.DEFAULT);
    assertThat(next).isSameAs(read);
    assertThat(next.readerIndex()).isZero();
    assertThat(next.writerIndex()).isZero();
    next.release();
  }

  @Test
  void theReaderReleasesItsReferenceAndTheThreadKeepsOne() {
    RecvByteBufAllocator.Handle handle = allocator.newHandle();
    for (int read = 0; read < 3; read++) {
      ByteBuf buffer = handle.allocate(ByteBufAllocator.DEFAULT);
      assertThat(buffer.refCnt()).isEqualTo(2);
      buffer.release();
      assertThat(buffer.refCnt()).isEqualTo(1);
    }
  }

  @Test
  void eachThreadHasItsOwnBuffer() throws InterruptedException {
    ByteBuf here = allocator.newHandle().allocate(ByteBufAllocator.DEFAULT);
    here.release();
    AtomicReference<ByteBuf> there = new AtomicReference<>();
    Thread other =
        new Thread(
            () -> {
              ByteBuf buffer = allocator.newHandle().allocate(ByteBufAllocator.DEFAULT);
              buffer.release();
              there.set(buffer);
            });
    other.start();
    other.join();
    assertThat(there.get()).isNotNull().isNotSameAs(here);
  }
}
