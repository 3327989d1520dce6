package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class HttpTransportDescribeTest {

  @Test
  void runningOutOfFileDescriptorsSaysSoAndWhatToDo() {
    Throwable netty =
        new ChannelException(
            "Unable to create Channel from class class io.netty.channel.epoll.EpollSocketChannel",
            new ChannelException(
                new IOException("newSocketStream(..) failed: Too many open files")));
    assertThat(HttpTransport.describe(netty))
        .startsWith("too many open files")
        .contains("ulimit -n")
        .contains("--max-concurrency");
  }

  @Test
  void otherFailuresKeepTheirOwnMessage() {
    assertThat(HttpTransport.describe(new IOException("Connection refused")))
        .isEqualTo("Connection refused");
    assertThat(HttpTransport.describe(new IOException())).isEqualTo("IOException");
  }
}
