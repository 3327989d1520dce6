package dev.servebench.error;

/**
 * Input the user can fix: a flag out of range, a dataset of the wrong shape, a tokenizer file that
 * cannot be read. The message is shown as it is, so it names the thing that is wrong and says what
 * to do; the command line turns it into exit code {@link ExitCode#BAD_INPUT} without a stack trace.
 */
public class InvalidInputException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
