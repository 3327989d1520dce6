package dev.servebench.config;

import dev.servebench.error.InvalidInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The header fields given with {@code --header KEY=VALUE}, sent with every request, checked once
 * here: a name of token characters, a value of printable ASCII (a control character would end the
 * field early and start one of the user's making), each name once. A field servebench sends itself
 * ({@code Content-Type}, {@code Accept}, {@code User-Agent}, {@code Authorization}) is replaced by
 * the user's, never sent twice; fields that frame the request or manage its connection are
 * servebench's own and refused.
 *
 * @param fields in the order given
 */
public record RequestHeaders(List<Field> fields) {

  /** No extra fields. */
  public static final RequestHeaders NONE = new RequestHeaders(List.of());

  /** Where the secret values of the configuration stand, as for {@code --api-key}. */
  public static final String NOT_SHOWN = "set (not shown)";

  /**
   * Fields the transport writes for each request or that decide how the connection is used:
   * overriding them would break the framing of the request or of the connection's next request, or
   * give every request the same id.
   */
  private static final Set<String> REFUSED =
      Set.of(
          "host",
          "content-length",
          "transfer-encoding",
          "connection",
          "keep-alive",
          "upgrade",
          "te",
          "trailer",
          "expect",
          "x-servebench-request-id");

  /**
   * Parts of a field name that mark its value as a credential, matched case-insensitively anywhere
   * in the name ({@code Authorization}, {@code X-Api-Key}, {@code X-Auth-Token}, {@code Cookie}).
   */
  private static final List<String> SECRET_NAME_PARTS =
      List.of("auth", "key", "token", "secret", "passw", "cookie", "credential", "session");

  /** One header field; {@link #secret()} says whether its value must stay out of every output. */
  public record Field(String name, String value) {
    public boolean secret() {
      return isSecretName(name);
    }
  }

  public RequestHeaders {
    fields = List.copyOf(fields);
  }

  /**
   * Parses {@code --header} values: {@code KEY=VALUE}, split at the first {@code =} (a value may
   * hold more), blanks around both parts dropped.
   *
   * @throws InvalidInputException naming the flag and the field; a secret value is never quoted
   */
  public static RequestHeaders parse(List<String> flagValues) {
    if (flagValues == null || flagValues.isEmpty()) {
      return NONE;
    }
    List<Field> fields = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String flagValue : flagValues) {
      int equals = flagValue.indexOf('=');
      if (equals < 0) {
        // Only a name before a colon is quoted: the rest may be a credential.
        int colon = flagValue.indexOf(':');
        throw new InvalidInputException(
            (colon > 0
                    ? "--header '" + printable(flagValue.substring(0, colon).strip()) + ": ...'"
                    : "a --header value")
                + " is not KEY=VALUE: write it as --header Name=value (e.g. --header"
                + " X-Tenant=acme)");
      }
      String name = flagValue.substring(0, equals).strip();
      String value = flagValue.substring(equals + 1).strip();
      checkName(name);
      String lower = name.toLowerCase(Locale.ROOT);
      if (REFUSED.contains(lower)) {
        throw new InvalidInputException(
            "--header "
                + name
                + " cannot be set: servebench writes it itself (it frames each request, manages"
                + " the connection or names the request); leave it out");
      }
      if (!seen.add(lower)) {
        throw new InvalidInputException(
            "--header "
                + name
                + " is given twice: give each header once (join list values with commas, as"
                + " HTTP does)");
      }
      checkValue("--header " + name, value, isSecretName(name));
      fields.add(new Field(name, value));
    }
    return new RequestHeaders(fields);
  }

  /** Whether a field of this name is given, case-insensitively, as HTTP compares names. */
  public boolean has(String name) {
    return get(name) != null;
  }

  /** The value of the field of this name (any case), or {@code null}. */
  public String get(String name) {
    for (Field field : fields) {
      if (field.name().equalsIgnoreCase(name)) {
        return field.value();
      }
    }
    return null;
  }

  public boolean isEmpty() {
    return fields.isEmpty();
  }

  /** The fields whose values are credentials. */
  public List<Field> secretFields() {
    return fields.stream().filter(Field::secret).toList();
  }

  /**
   * The texts to scrub from whatever servebench writes, should a server echo them: each secret
   * value, and for a value of the form {@code Scheme credentials} ({@code Bearer sk-...}) the
   * credentials alone too.
   */
  public List<String> secretValues() {
    List<String> values = new ArrayList<>();
    for (Field field : secretFields()) {
      if (field.value().isEmpty()) {
        continue;
      }
      values.add(field.value());
      int space = field.value().indexOf(' ');
      if (space > 0 && space < field.value().length() - 1) {
        values.add(field.value().substring(space + 1).strip());
      }
    }
    return values;
  }

  /**
   * The fields as the configuration shows them: each secret value replaced by {@link #NOT_SHOWN}.
   */
  public Map<String, String> described() {
    Map<String, String> shown = new LinkedHashMap<>();
    for (Field field : fields) {
      shown.put(field.name(), field.secret() ? NOT_SHOWN : field.value());
    }
    return shown;
  }

  /** Whether a field of this name carries a credential (see {@link #SECRET_NAME_PARTS}). */
  public static boolean isSecretName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String part : SECRET_NAME_PARTS) {
      if (lower.contains(part)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks text that goes into a header field's value: printable ASCII and spaces only.
   *
   * @param what the flag and field, for the message
   * @param secret leave the value out of the message
   */
  public static void checkValue(String what, String value, boolean secret) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        throw new InvalidInputException(
            what
                + (secret ? "" : " '" + printable(value) + "'")
                + (c == '\r' || c == '\n'
                    ? " holds a line break"
                    : c < 0x20 || c == 0x7f
                        ? " holds a control character (code " + (int) c + ")"
                        : " holds a character other than ASCII" + (secret ? "" : " ('" + c + "')"))
                + ", which cannot go into an HTTP header: use printable ASCII (percent-encode"
                + " anything else)");
      }
    }
  }

  /** A token (RFC 9110): letters, digits and {@code !#$%&'*+-.^_`|~}, at least one. */
  private static void checkName(String name) {
    if (name.isEmpty()) {
      throw new InvalidInputException(
          "--header has no name before '=': write it as --header Name=value");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!token) {
        // Only the name up to the bad character is quoted: past a colon or a space (a header
        // written curl-style, "Authorization: Basic ...=") lies the value, perhaps a credential.
        throw new InvalidInputException(
            "--header name '"
                + printable(name.substring(0, i))
                + (c == ':' || c == ' ' ? "" : printable(String.valueOf(c)))
                + "...' holds "
                + (c == ' ' ? "a space" : "'" + printable(String.valueOf(c)) + "'")
                + ": a header name is letters, digits and !#$%&'*+-.^_`|~ only"
                + (c == ':' || c == ' ' ? "; write it as --header Name=value" : ""));
      }
    }
  }

  /** The text with control characters shown as escapes, for a message. */
  private static String printable(String text) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\r' -> shown.append("\\r");
        case '\n' -> shown.append("\\n");
        case '\t' -> shown.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            shown.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            shown.append(c);
          }
        }
      }
    }
    return shown.toString();
  }
}
