package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Injects {@code fault} into the requests {@code requests} chooses. The server checks its specs in
 * order for every generation request and injects the first that applies and chooses it, so a
 * request suffers at most one fault.
 *
 * @param parameter the fault's parameter (see {@link Fault}); ignored by faults that take none
 */
public record FaultSpec(Fault fault, long parameter, RequestSelector requests) {

  public FaultSpec {
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(requests, "requests");
    Checks.requireAtLeast(fault + " parameter", parameter, 0);
    if (fault == Fault.HUGE_RESPONSE) {
      Checks.requireAtLeast("HUGE_RESPONSE size in MiB", parameter, 1);
    }
  }

  /**
   * Parses the command-line form {@code NAME[:PARAM]@WHEN}, where {@code NAME} is a {@link Fault}
   * (any case, {@code -} for {@code _}) and {@code WHEN} a probability ({@code 0.05} or {@code 5%})
   * or {@code every:N}. Examples: {@code http-429:2@0.1}, {@code reset_after_tokens:5@every:100}.
   *
   * @throws InvalidInputException saying which part is wrong and what is allowed
   */
  public static FaultSpec parse(String text) {
    int at = text.lastIndexOf('@');
    if (at < 0) {
      throw invalid(text, "it needs '@' and a probability or every:N, e.g. HTTP_500@0.05");
    }
    String what = text.substring(0, at).strip();
    int colon = what.indexOf(':');
    String name = colon < 0 ? what : what.substring(0, colon);
    Fault fault = fault(text, name);
    long parameter = fault.defaultParameter();
    if (colon >= 0) {
      if (fault.parameterName() == null) {
        throw invalid(text, fault + " takes no parameter");
      }
      parameter = number(text, what.substring(colon + 1), fault + " " + fault.parameterName());
    }
    try {
      return new FaultSpec(fault, parameter, RequestSelector.parse(text.substring(at + 1)));
    } catch (InvalidInputException e) {
      throw invalid(text, e.getMessage());
    }
  }

  private static Fault fault(String text, String name) {
    try {
      return Fault.valueOf(name.strip().replace('-', '_').toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw invalid(
          text, "unknown fault '" + name + "'; known: " + Arrays.toString(Fault.values()));
    }
  }

  private static long number(String text, String digits, String what) {
    try {
      return Long.parseLong(digits.strip());
    } catch (NumberFormatException e) {
      throw invalid(text, what + " must be a whole number, got '" + digits + "'");
    }
  }

  private static InvalidInputException invalid(String text, String reason) {
    return new InvalidInputException("invalid --fault '" + text + "': " + reason);
  }
}
