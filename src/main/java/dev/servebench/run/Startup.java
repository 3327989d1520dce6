package dev.servebench.run;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/** What a run does between preparing and sending, so preparing costs nothing once it sends. */
final class Startup {

  private Startup() {}

  /**
   * A full collection now, before the clock starts: the tokenizer's tables, the prompts and the
   * mock's vocabulary (tens of MB that live for the whole run) move to the old generation at once,
   * instead of being copied by the first young collections during the run, whose pauses would delay
   * every chunk arriving meanwhile. Skipped under a concurrent collector (ZGC, what {@code
   * ./servebench} runs with, or Shenandoah): it moves objects without stopping the run, so a forced
   * cycle there would only lengthen start-up.
   */
  static void settleHeap() {
    if (!concurrentCollector()) {
      System.gc();
    }
  }

  private static boolean concurrentCollector() {
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = collector.getName();
      if (name.startsWith("ZGC") || name.startsWith("Shenandoah")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Waits until the JIT compilers have been idle for {@code quietMillis} (at most {@code
   * limitMillis}): after a warm-up the compile queue can hold seconds of work, and a compiler
   * thread busy during a measurement takes a core from the event loops. Returns at once where the
   * JVM does not report compile time.
   */
  static void awaitCompilerQuiet(long quietMillis, long limitMillis) throws InterruptedException {
    CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
    if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMillis);
    long lastMillis = compiler.getTotalCompilationTime();
    while (System.nanoTime() - deadlineNanos < 0) {
      Thread.sleep(quietMillis);
      long nowMillis = compiler.getTotalCompilationTime();
      if (nowMillis == lastMillis) {
        return;
      }
      lastMillis = nowMillis;
    }
  }
}
