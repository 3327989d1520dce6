package dev.servebench.cli;

import dev.servebench.engine.RunControl;
import dev.servebench.error.ExitCode;
import dev.servebench.report.LiveLog;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C and SIGTERM during a run: the first asks the run to stop gracefully (stop sending, drain,
 * cancel, write the summary marked incomplete); a second Ctrl-C stops the process at once. The
 * records file is flushed after every batch of records, so what was written stays intact.
 *
 * <p>{@code sun.misc.Signal} is the JDK's supported way (module jdk.unsupported) to handle a signal
 * without starting JVM shutdown, which a shutdown hook could not avoid.
 */
final class Interrupts implements AutoCloseable {

  private final SignalHandler previousInt;
  private final SignalHandler previousTerm;

  private Interrupts(SignalHandler previousInt, SignalHandler previousTerm) {
    this.previousInt = previousInt;
    this.previousTerm = previousTerm;
  }

  /**
   * Handles SIGINT and SIGTERM until closed, saying so on {@code err}: above the live view's block
   * while one is drawn, and at once before halting.
   */
  static Interrupts install(RunControl control, LiveLog err) {
    SignalHandler handler =
        signal -> {
          if (control.stopRequested()) {
            err.printNow("servebench: stopped at once; the records written so far are intact.");
            Runtime.getRuntime().halt(ExitCode.INTERRUPTED);
          }
          control.requestStop();
          err.println(
              "servebench: SIG"
                  + signal.getName()
                  + ": no new requests; waiting for those in flight"
                  + " (Ctrl-C again stops at once)");
          err.flush();
        };
    return new Interrupts(install("INT", handler), install("TERM", handler));
  }

  private static SignalHandler install(String name, SignalHandler handler) {
    try {
      return Signal.handle(new Signal(name), handler);
    } catch (IllegalArgumentException unavailable) {
      return null; // the platform lacks this signal, or the JVM reserves it
    }
  }

  @Override
  public void close() {
    if (previousInt != null) {
      Signal.handle(new Signal("INT"), previousInt);
    }
    if (previousTerm != null) {
      Signal.handle(new Signal("TERM"), previousTerm);
    }
  }
}
