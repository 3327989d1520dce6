package dev.servebench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Answers one {@link Generation} on its connection's event loop, on time and without blocking: each
 * token (or the whole non-streamed answer) is a task scheduled on the loop.
 *
 * <p>Send times are absolute deadlines (request start + TTFT + the gaps so far) rather than delays
 * from the previous write, so a timer that fires late does not push every later token back.
 */
final class GenerationResponder implements Runnable {

  /** Bounds one task's work so a zero-latency stream of many tokens cannot starve other streams. */
  private static final int MAX_TOKENS_PER_TASK = 256;

  private final ChannelHandlerContext ctx;
  private final Generation generation;
  private final OutputVocabulary vocabulary;
  private final LatencyModel latencies;
  private final MockCounters counters;
  private final Runnable onDone;
  private final RandomGenerator latencyRandom;
  private final RandomGenerator tokenRandom;

  private long dueNanos;
  private int tokensWritten;
  private ScheduledFuture<?> pending;

  GenerationResponder(
      ChannelHandlerContext ctx,
      Generation generation,
      OutputVocabulary vocabulary,
      LatencyModel latencies,
      MockCounters counters,
      Runnable onDone) {
    this.ctx = ctx;
    this.generation = generation;
    this.vocabulary = vocabulary;
    this.latencies = latencies;
    this.counters = counters;
    this.onDone = onDone;
    // Separate generators, so the text is the same whether the answer is streamed or not.
    SplittableRandom random = new SplittableRandom(generation.seed());
    this.latencyRandom = random.split();
    this.tokenRandom = random.split();
  }

  void start() {
    long startNanos = System.nanoTime();
    dueNanos = startNanos + latencies.drawTtftNanos(latencyRandom);
    if (generation.stream()) {
      // Real servers send the headers at once and the body as it is generated.
      ctx.writeAndFlush(streamHeaders(), ctx.voidPromise());
    } else {
      // The whole answer comes when a stream would have ended.
      for (int i = 1; i < generation.outputTokens(); i++) {
        dueNanos += latencies.drawItlNanos(latencyRandom);
      }
    }
    scheduleFrom(startNanos);
  }

  /** Stops a response whose connection has gone; nothing more is written. */
  void cancel() {
    if (pending != null) {
      pending.cancel(false);
    }
  }

  @Override
  public void run() {
    pending = null;
    if (generation.stream()) {
      writeDueTokens();
    } else {
      writeCompleteResponse();
    }
  }

  private void writeDueTokens() {
    long nowNanos = System.nanoTime();
    int outputTokens = generation.outputTokens();
    ResponseFormat format = generation.format();
    for (int budget = MAX_TOKENS_PER_TASK;
        budget > 0 && tokensWritten < outputTokens && dueNanos - nowNanos <= 0;
        budget--) {
      if (tokensWritten == 0) {
        writeStreamHead(format);
      }
      boolean last = tokensWritten + 1 == outputTokens;
      ByteBuf event = ctx.alloc().buffer();
      format.writeToken(event, vocabulary.utf8(vocabulary.draw(tokenRandom)), last);
      ctx.write(new DefaultHttpContent(event), ctx.voidPromise());
      tokensWritten++;
      if (!last) {
        dueNanos += latencies.drawItlNanos(latencyRandom);
      }
    }
    if (tokensWritten < outputTokens) {
      ctx.flush();
      scheduleFrom(nowNanos);
      return;
    }
    counters.served(generation);
    ByteBuf tail = ctx.alloc().buffer();
    format.writeStreamTail(tail, generation.promptTokens()[0], outputTokens);
    ctx.writeAndFlush(new DefaultLastHttpContent(tail), ctx.voidPromise());
    onDone.run();
  }

  /** A separate event flushed on its own, as vLLM sends its role-only delta. */
  private void writeStreamHead(ResponseFormat format) {
    ByteBuf head = ctx.alloc().buffer();
    format.writeStreamHead(head);
    if (head.isReadable()) {
      ctx.writeAndFlush(new DefaultHttpContent(head), ctx.voidPromise());
    } else {
      head.release();
    }
  }

  private void writeCompleteResponse() {
    List<String> outputs = new ArrayList<>(generation.promptTokens().length);
    for (int prompt = 0; prompt < generation.promptTokens().length; prompt++) {
      StringBuilder output = new StringBuilder(generation.outputTokens() * 8);
      for (int i = 0; i < generation.outputTokens(); i++) {
        output.append(vocabulary.text(vocabulary.draw(tokenRandom)));
      }
      outputs.add(output.toString());
    }
    byte[] body =
        generation
            .format()
            .completeBody(outputs, generation.promptTokens(), generation.outputTokens());
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(response, body.length);
    counters.served(generation);
    ctx.writeAndFlush(response, ctx.voidPromise());
    onDone.run();
  }

  private HttpResponse streamHeaders() {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, generation.format().streamContentType());
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    HttpUtil.setTransferEncodingChunked(response, true);
    return response;
  }

  private void scheduleFrom(long nowNanos) {
    pending = ctx.executor().schedule(this, Math.max(0, dueNanos - nowNanos), TimeUnit.NANOSECONDS);
  }
}
