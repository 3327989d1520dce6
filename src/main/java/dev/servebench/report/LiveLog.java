package dev.servebench.report;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Standard error as a run's messages share it with the live view. Each flushed line goes straight
 * to the target, except while a {@link LiveView} is attached: then it is queued, and the view
 * prints it above its block on its next redraw, so a message never lands inside the block. Any
 * thread may write: queueing is an append to a buffer and a lock-free queue, so a runner thread
 * reporting something never waits for the terminal.
 */
public final class LiveLog extends PrintWriter {

  private final Lines lines;

  private LiveLog(Lines lines) {
    super(lines, true);
    this.lines = lines;
  }

  /** A log over {@code target}, printing at once until a view attaches. */
  public static LiveLog over(PrintWriter target) {
    return target instanceof LiveLog log ? log : new LiveLog(new Lines(target));
  }

  /**
   * Prints {@code line} at once, even while a view is attached (below its block, then): for a last
   * word before the process halts, which a queue would never deliver.
   */
  public void printNow(String line) {
    flush();
    synchronized (lines) {
      lines.target.println(line);
      lines.target.flush();
    }
  }

  /** Where the lines end up, and where the view draws. */
  PrintWriter target() {
    return lines.target;
  }

  /** From now on, flushed lines wait in the returned queue for the view. */
  Queue<String> attach() {
    Queue<String> queue = new ConcurrentLinkedQueue<>();
    lines.queue = queue;
    return queue;
  }

  /**
   * Lines go straight to the target again, after {@code last} has run: it drains the queue and
   * prints what it held. Both happen under the lock every flush takes, so that no flush that
   * already read the queue adds to it after the drain (a lost line), and none prints straight to
   * the target ahead of the lines queued before it.
   */
  void detach(Runnable last) {
    synchronized (lines) {
      lines.queue = null;
      last.run();
    }
  }

  /** Collects text until a flush, then hands over each whole line. */
  private static final class Lines extends Writer {
    private final PrintWriter target;
    private final StringBuilder pending = new StringBuilder();
    private volatile Queue<String> queue;

    Lines(PrintWriter target) {
      this.target = target;
    }

    @Override
    public synchronized void write(char[] buffer, int offset, int length) {
      pending.append(buffer, offset, length);
    }

    @Override
    public synchronized void flush() {
      int end = pending.lastIndexOf("\n");
      if (end < 0) {
        return;
      }
      String whole = pending.substring(0, end);
      pending.delete(0, end + 1);
      Queue<String> waiting = queue;
      if (waiting != null) {
        waiting.addAll(java.util.List.of(whole.split("\n", -1)));
      } else {
        target.println(whole);
        target.flush();
      }
    }

    @Override
    public synchronized void close() {
      flush();
    }
  }
}
