package dev.servebench.error;

/**
 * The endpoint could not be reached before the run started, so nothing was sent. Its message says
 * which address was tried and what to check; the command line exits with {@link
 * ExitCode#ENDPOINT_UNREACHABLE}.
 */
public class UnreachableEndpointException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UnreachableEndpointException(String message) {
    super(message);
  }
}
