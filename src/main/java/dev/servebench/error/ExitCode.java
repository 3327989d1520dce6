package dev.servebench.error;

/** The process exit codes servebench uses; the README's table mirrors this list. */
public final class ExitCode {
  /** The run finished and every request succeeded (or: the command did what it was asked). */
  public static final int OK = 0;

  /** An unexpected internal error: a bug in servebench. The message asks for a report. */
  public static final int INTERNAL_ERROR = 1;

  /** Bad input: a flag, dataset, tokenizer or results directory; nothing was sent. */
  public static final int BAD_INPUT = 2;

  /** The run finished, but at least one request failed; the report lists failures by reason. */
  public static final int REQUESTS_FAILED = 3;

  /** The endpoint could not be reached before the run started; nothing was sent. */
  public static final int ENDPOINT_UNREACHABLE = 4;

  /**
   * A file could not be written or read while running (disk full, permissions): the message names
   * it. Records written before the error are intact.
   */
  public static final int IO_ERROR = 5;

  /**
   * Shards of one plan were merged ({@code merge}, {@code run --processes}) but at least one was
   * missing or failed: the merged report covers the others and names it.
   */
  public static final int PARTIAL = 6;

  /**
   * The run was interrupted (Ctrl-C or SIGTERM): requests in flight were drained or cancelled and
   * the summary is marked incomplete. 130 is the shell's convention for an interrupt.
   */
  public static final int INTERRUPTED = 130;

  private ExitCode() {}
}
