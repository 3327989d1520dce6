package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcceptFailuresTest {

  @Test
  void acceptErrorsStopThereAndAreReportedOnce() {
    List<Throwable> passedOn = new ArrayList<>();
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new MockServer.AcceptFailures(),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                passedOn.add(cause);
              }
            });
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < 3; i++) {
        channel
            .pipeline()
            .fireExceptionCaught(new IOException("accept(..) failed: Too many open files"));
      }
    } finally {
      System.setErr(stderr);
    }
    channel.checkException();
    assertThat(passedOn).isEmpty();
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .containsOnlyOnce("cannot accept a connection")
        .contains("Too many open files")
        .contains("ulimit -n");
    assertThat(channel.isOpen()).isTrue();
  }
}
