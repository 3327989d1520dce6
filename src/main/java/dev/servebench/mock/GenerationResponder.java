package dev.servebench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
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
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Answers one {@link Generation} on its connection's event loop, on time and without blocking: each
 * chunk (or the whole non-streamed answer) is a task scheduled on the loop, and a fault, if the
 * request has one, is played at its point in the answer.
 *
 * <p>Send times are absolute deadlines (start + TTFT + the gaps so far) rather than delays from the
 * previous write, so a timer that fires late does not push every later token back. A chunk of
 * several tokens leaves when its last token is due. The start is when the request gets its place
 * among the running sequences ({@link SequenceScheduler}); a stream's headers go out at once, as a
 * real server's do while the request waits in its queue.
 */
final class GenerationResponder implements Runnable {

  /** What the responder needs from its connection. */
  interface Connection {
    /** The answer is complete; the next request on the connection may be answered. */
    void responseDone();

    /** Closes the connection after {@code delayMillis} unless a request has arrived by then. */
    void closeWhenIdle(long delayMillis);
  }

  /** Bounds one task's work so a zero-latency stream of many tokens cannot starve other streams. */
  private static final int MAX_TOKENS_PER_TASK = 256;

  /** How often a stream whose client reads too slowly checks whether it may write again. */
  private static final long BACKPRESSURE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** The first two bytes of a three-byte UTF-8 sequence ({@code €}), then a byte never valid. */
  private static final byte[] UTF8_CUT_HEAD = {(byte) 0xE2, (byte) 0x82};

  private static final byte[] UTF8_INVALID_TAIL = {(byte) 0xFF};
  private static final int NO_FAULT_POSITION = -1;

  /** Room before a framed chunk's data for its size line: eight hex digits and CRLF. */
  private static final int CHUNK_SIZE_LINE_ROOM = 10;

  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final ChannelHandlerContext ctx;

  /**
   * The HTTP codec's context: a chunk written there, framed here, skips the codec's encoder (which
   * formats each chunk's size as a string and writes it as a buffer of its own, a large part of the
   * mock's own work per chunk) and leaves as one buffer. Null where the pipeline has no codec:
   * chunks then go through the encoder. Found once per connection, by its handler.
   */
  private final ChannelHandlerContext framedCtx;

  private final Generation generation;
  private final MockRuntime runtime;
  private final Connection connection;
  private final ResponseFormat format;
  private final WriteLog.Recorder recorder;
  private final LatencyModel.TokenDelays delays;
  private final RandomGenerator tokenRandom;
  private final int totalTokens;
  private final int reasoningTokens;
  private final boolean cutWords;

  /** Tokens written when a mid-stream fault strikes; {@link #NO_FAULT_POSITION} once it has. */
  private int faultAtTokens;

  private int tokensWritten;
  private int chunksWritten;

  private byte[] wideText;

  /** The last character of the previous event's last token, kept back for this one, or -1. */
  private int heldBack = -1;

  private int nextChunkTokens;
  private long lastPlannedDueNanos;

  /** The running sequences the gaps of the next chunk were fixed with. */
  private int plannedRunning;

  /** When a whole answer's first token was due, for the TTFT the server reports. */
  private long firstTokenDueNanos;

  private ScheduledFuture<?> pending;

  /** The request's place among the running sequences; null for an answer replaced by a fault. */
  private SequenceScheduler.Slot slot;

  /** The connection has gone; a start handed over later must not write. */
  private boolean cancelled;

  GenerationResponder(
      ChannelHandlerContext ctx,
      ChannelHandlerContext framedCtx,
      Generation generation,
      MockRuntime runtime,
      Connection connection) {
    this.ctx = ctx;
    this.framedCtx = framedCtx;
    this.generation = generation;
    this.runtime = runtime;
    this.connection = connection;
    this.format = generation.format();
    this.recorder = runtime.writeLog().recorder(generation.requestId(), generation.receivedNanos());
    // Separate generators, so the text is the same whether the answer is streamed or not.
    SplittableRandom random = new SplittableRandom(generation.seed());
    this.delays =
        runtime
            .latencies()
            .forRequest(
                generation.requestNumber(),
                random.split(),
                generation.stalls(),
                generation.totalPromptTokens());
    this.tokenRandom = random.split();
    this.totalTokens =
        generation.faulty(Fault.ENDLESS_STREAM) ? Integer.MAX_VALUE : generation.outputTokens();
    this.reasoningTokens = runtime.reasoningTokens();
    // Reasoning and answer are separate events of their own kinds: no text crosses between them.
    this.cutWords = runtime.cutWords() && reasoningTokens == 0;
    this.faultAtTokens = midStreamFaultPosition();
  }

  private int midStreamFaultPosition() {
    FaultSpec fault = generation.fault();
    if (fault == null) {
      return NO_FAULT_POSITION;
    }
    return switch (fault.fault()) {
      case RESET_AFTER_TOKENS, SSE_ERROR_EVENT, MALFORMED_JSON, INVALID_UTF8 ->
          (int) Math.min(fault.parameter(), totalTokens);
      default -> NO_FAULT_POSITION;
    };
  }

  void start() {
    if (generation.fault() != null && answeredByFault(generation.fault())) {
      return;
    }
    if (generation.stream()) {
      // Real servers send the headers at once and the body as it is generated.
      writeStreamHeaders();
    }
    slot =
        new SequenceScheduler.Slot() {
          @Override
          void admitted(long admittedNanos) {
            try {
              ctx.executor().execute(() -> begin(admittedNanos));
            } catch (RejectedExecutionException serverClosing) {
              // The event loop has stopped: the server is closing and the connection with it.
            }
          }
        };
    if (runtime.scheduler().enter(slot)) {
      begin(slot.admission().admittedNanos());
    }
  }

  /** The request has its place: its timeline starts at {@code admittedNanos}. */
  private void begin(long admittedNanos) {
    if (cancelled) {
      return;
    }
    recorder.admitted(slot.admission());
    lastPlannedDueNanos = admittedNanos;
    if (generation.stream()) {
      planNextChunk();
    } else {
      // The whole answer comes when a stream would have ended; one without tokens (an embedding)
      // still takes the time of its prefill, the first token's delay.
      plannedRunning = runtime.scheduler().runningSequences();
      for (int i = 0; i < Math.max(1, totalTokens); i++) {
        lastPlannedDueNanos += delays.beforeTokenNanos(i, plannedRunning);
        if (i == 0) {
          firstTokenDueNanos = lastPlannedDueNanos;
        }
      }
    }
    scheduleAt(lastPlannedDueNanos, System.nanoTime());
  }

  /** Plays the faults that replace the whole answer; false for the others. */
  private boolean answeredByFault(FaultSpec fault) {
    switch (fault.fault()) {
      case CLOSE_BEFORE_HEADERS -> {
        recorder.finish();
        ctx.close();
      }
      case NEVER_ANSWER -> {
        // The request is left hanging; the connection's close ends it.
      }
      case HTTP_429, HTTP_500, HTTP_503_HTML, HTML_200 -> {
        recorder.headersWritten();
        ctx.writeAndFlush(FaultReplies.of(fault), ctx.voidPromise());
        done();
      }
      case HUGE_RESPONSE -> {
        writeStreamHeaders();
        ByteBuf head = ctx.alloc().buffer();
        format.writeChunkOpen(head, false);
        ByteBuf tail = ctx.alloc().buffer();
        format.writeChunkClose(tail, true, generation.promptTokens()[0], 0);
        format.writeDone(tail);
        new HugeBody(ctx, fault.parameter() << 20, tail, this::done).start(head);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** Stops a response whose connection has gone; nothing more is written. */
  void cancel() {
    cancelled = true;
    if (pending != null) {
      pending.cancel(false);
    }
    leaveScheduler();
    recorder.finish();
  }

  /** Gives up the request's place (or its turn in the queue); idempotent. */
  private void leaveScheduler() {
    if (slot != null) {
      runtime.scheduler().leave(slot);
    }
  }

  @Override
  public void run() {
    pending = null;
    long nowNanos = System.nanoTime();
    long writableNanos = runtime.stallGate().writableAtNanos(nowNanos);
    if (writableNanos != nowNanos) {
      scheduleAt(writableNanos, nowNanos);
    } else if (generation.stream()) {
      writeDueChunks(nowNanos);
    } else {
      writeCompleteResponse();
    }
  }

  private void writeDueChunks(long nowNanos) {
    int budget = MAX_TOKENS_PER_TASK;
    while (budget > 0 && tokensWritten < totalTokens && lastPlannedDueNanos - nowNanos <= 0) {
      budget -= nextChunkTokens;
      if (tokensWritten == faultAtTokens && !continuesAfterMidStreamFault()) {
        return;
      }
      if (tokensWritten + nextChunkTokens == totalTokens
          && generation.faulty(Fault.DROP_LAST_EVENT)) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
        done();
        return;
      }
      writeChunk();
      if (tokensWritten < totalTokens) {
        planNextChunk();
      }
    }
    if (tokensWritten < totalTokens) {
      ctx.flush();
      // A client that reads too slowly holds the stream back, as TCP would a real server.
      long nextNanos =
          ctx.channel().isWritable() ? lastPlannedDueNanos : nowNanos + BACKPRESSURE_POLL_NANOS;
      scheduleAt(nextNanos, nowNanos);
    } else if (tokensWritten != faultAtTokens || continuesAfterMidStreamFault()) {
      writeStreamTail();
    }
  }

  /** Sizes the next chunk and draws when its last token is due. */
  private void planNextChunk() {
    int[] pattern = runtime.tokensPerChunk();
    int tokens = Math.min(pattern[chunksWritten % pattern.length], totalTokens - tokensWritten);
    // A chunk never mixes reasoning and answer, nor straddles the point where a fault strikes.
    if (tokensWritten < reasoningTokens) {
      tokens = Math.min(tokens, reasoningTokens - tokensWritten);
    }
    if (faultAtTokens > tokensWritten) {
      tokens = Math.min(tokens, faultAtTokens - tokensWritten);
    }
    plannedRunning = runtime.scheduler().runningSequences();
    for (int i = 0; i < tokens; i++) {
      lastPlannedDueNanos += delays.beforeTokenNanos(tokensWritten + i, plannedRunning);
    }
    nextChunkTokens = tokens;
  }

  private void writeChunk() {
    if (tokensWritten == 0) {
      writeStreamHead();
    }
    int tokensAfter = tokensWritten + nextChunkTokens;
    ByteBuf event = ctx.alloc().buffer();
    if (framedCtx != null) {
      event.writerIndex(CHUNK_SIZE_LINE_ROOM).readerIndex(CHUNK_SIZE_LINE_ROOM);
    }
    format.writeChunkOpen(event, tokensWritten < reasoningTokens);
    // Tokens whose text ends in this event: what a client that counts the whole text finds here.
    int tokensEnding = nextChunkTokens;
    if (heldBack >= 0) {
      event.writeByte(heldBack);
      heldBack = -1;
      tokensEnding++;
    }
    if (generation.faulty(Fault.WIDE_EVENTS)) {
      event.writeBytes(wideText());
    }
    for (int i = 0; i < nextChunkTokens && !generation.faulty(Fault.WIDE_EVENTS); i++) {
      byte[] token = drawTokenUtf8();
      if (cutWords && i == nextChunkTokens - 1 && tokensAfter < totalTokens) {
        event.writeBytes(token, 0, token.length - 1); // ASCII letters: a byte is a character
        heldBack = token[token.length - 1];
        tokensEnding--;
      } else {
        event.writeBytes(token);
      }
    }
    format.writeChunkClose(
        event, tokensAfter == totalTokens, generation.promptTokens()[0], tokensAfter);
    recorder.chunkWritten(tokensEnding, lastPlannedDueNanos, plannedRunning);
    if (tokensWritten == 0) {
      runtime.counters().firstToken(lastPlannedDueNanos - generation.receivedNanos());
    }
    runtime.counters().generated(nextChunkTokens);
    if (framedCtx != null) {
      framedCtx.write(frameChunk(event), framedCtx.voidPromise());
    } else {
      ctx.write(new DefaultHttpContent(event), ctx.voidPromise());
    }
    tokensWritten = tokensAfter;
    chunksWritten++;
  }

  /**
   * Frames {@code data} (readable from {@link #CHUNK_SIZE_LINE_ROOM}) as an HTTP/1.1 chunk in
   * place: its size in hex and CRLF just before it, CRLF after it.
   */
  static ByteBuf frameChunk(ByteBuf data) {
    int size = data.readableBytes();
    int start = data.readerIndex() - 2;
    data.setByte(start, '\r').setByte(start + 1, '\n');
    do {
      data.setByte(--start, HEX_DIGITS[size & 0xF]);
      size >>>= 4;
    } while (size != 0);
    return data.readerIndex(start).writeByte('\r').writeByte('\n');
  }

  /** A separate event flushed on its own, as vLLM sends its role-only delta. */
  private void writeStreamHead() {
    ByteBuf head = ctx.alloc().buffer();
    format.writeStreamHead(head);
    if (head.isReadable()) {
      ctx.writeAndFlush(new DefaultHttpContent(head), ctx.voidPromise());
    } else {
      head.release();
    }
  }

  /** Plays a fault placed between two chunks; false when it ended the response. */
  private boolean continuesAfterMidStreamFault() {
    faultAtTokens = NO_FAULT_POSITION;
    Fault fault = generation.fault().fault();
    switch (fault) {
      case RESET_AFTER_TOKENS -> {
        reset();
        return false;
      }
      case SSE_ERROR_EVENT -> {
        ByteBuf end = ctx.alloc().buffer();
        format.writeError(
            end, "mock server fault: " + fault + " after " + tokensWritten + " tokens");
        format.writeDone(end);
        ctx.writeAndFlush(new DefaultLastHttpContent(end), ctx.voidPromise());
        done();
        return false;
      }
      case MALFORMED_JSON -> {
        ByteBuf event = ctx.alloc().buffer();
        format.writeMalformedChunk(event, drawTokenUtf8());
        ctx.writeAndFlush(new DefaultHttpContent(event), ctx.voidPromise());
        return true;
      }
      case INVALID_UTF8 -> {
        // Two flushes, so a client sees the cut sequence at the end of one read.
        ByteBuf first = ctx.alloc().buffer();
        format.writeChunkOpen(first, false);
        ctx.writeAndFlush(
            new DefaultHttpContent(first.writeBytes(UTF8_CUT_HEAD)), ctx.voidPromise());
        ByteBuf second = ctx.alloc().buffer().writeBytes(UTF8_INVALID_TAIL);
        format.writeChunkClose(second, false, generation.promptTokens()[0], tokensWritten);
        ctx.writeAndFlush(new DefaultHttpContent(second), ctx.voidPromise());
        return true;
      }
      default -> throw new IllegalStateException(fault + " is not a mid-stream fault");
    }
  }

  private void writeStreamTail() {
    ByteBuf tail = ctx.alloc().buffer();
    format.writeUsage(tail, generation.promptTokens()[0], totalTokens);
    if (!generation.faulty(Fault.END_WITHOUT_DONE)) {
      format.writeDone(tail);
    }
    countIfHealthy();
    leaveScheduler(); // before the last byte, so a client holding the answer sees its place free
    recorder.finish(); // before the last byte, so a client holding the answer finds its log
    ctx.writeAndFlush(new DefaultLastHttpContent(tail), ctx.voidPromise());
    done();
  }

  private void writeCompleteResponse() {
    if (generation.faulty(Fault.RESET_AFTER_TOKENS)) {
      reset();
      return;
    }
    List<String> outputs = new ArrayList<>(generation.promptTokens().length);
    for (int prompt = 0; prompt < generation.promptTokens().length; prompt++) {
      StringBuilder output = new StringBuilder(generation.outputTokens() * 8);
      for (int i = 0; i < generation.outputTokens(); i++) {
        output.append(runtime.vocabulary().text(runtime.vocabulary().draw(tokenRandom)));
      }
      outputs.add(output.toString());
    }
    byte[] body =
        format.completeBody(outputs, generation.promptTokens(), generation.outputTokens());
    if (generation.faulty(Fault.MALFORMED_JSON)) {
      body = Arrays.copyOf(body, body.length / 2);
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(response, body.length);
    countIfHealthy();
    if (totalTokens > 0) {
      runtime.counters().firstToken(firstTokenDueNanos - generation.receivedNanos());
      runtime.counters().generated(generation.totalOutputTokens());
    }
    leaveScheduler();
    recorder.headersWritten();
    recorder.chunkWritten(generation.totalOutputTokens(), lastPlannedDueNanos, plannedRunning);
    recorder.finish(); // before the last byte, so a client holding the answer finds its log
    ctx.writeAndFlush(response, ctx.voidPromise());
    done();
  }

  /**
   * Counts a complete, correct answer before its last byte is written, so a client that has it sees
   * the count. An idle close strikes only after the answer, which is whole.
   */
  private void countIfHealthy() {
    if (generation.fault() == null || generation.faulty(Fault.CLOSE_IDLE_KEEPALIVE)) {
      runtime.counters().served(generation);
    }
  }

  private void done() {
    leaveScheduler();
    recorder.finish();
    connection.responseDone();
    if (generation.faulty(Fault.CLOSE_IDLE_KEEPALIVE)) {
      connection.closeWhenIdle(generation.fault().parameter());
    }
  }

  /** SO_LINGER 0 makes the close send RST instead of FIN, as a crashed server's kernel does. */
  private void reset() {
    leaveScheduler();
    recorder.finish();
    ctx.flush();
    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    ctx.close();
  }

  /** The text of every {@link Fault#WIDE_EVENTS} event, made once per response. */
  private byte[] wideText() {
    if (wideText == null) {
      wideText = new byte[(int) Math.min(1 << 30, generation.fault().parameter() << 10)];
      Arrays.fill(wideText, (byte) 'x');
    }
    return wideText;
  }

  private byte[] drawTokenUtf8() {
    return runtime.vocabulary().utf8(runtime.vocabulary().draw(tokenRandom));
  }

  private void writeStreamHeaders() {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, format.streamContentType());
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    HttpUtil.setTransferEncodingChunked(response, true);
    recorder.headersWritten();
    ctx.writeAndFlush(response, ctx.voidPromise());
  }

  private void scheduleAt(long dueNanos, long nowNanos) {
    pending = ctx.executor().schedule(this, Math.max(0, dueNanos - nowNanos), TimeUnit.NANOSECONDS);
  }
}
