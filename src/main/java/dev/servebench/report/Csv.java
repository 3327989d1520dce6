package dev.servebench.report;

/**
 * RFC 4180 fields and lines: a field holding a comma, a double quote, CR or LF is quoted, its
 * quotes doubled; lines end with CRLF. Spreadsheets and {@code csv} readers in every language read
 * it back unchanged.
 */
final class Csv {

  static final String LINE_END = "\r\n";

  private Csv() {}

  /** One field, quoted only where it has to be; {@code null} is the empty field. */
  static String field(String value) {
    if (value == null) {
      return "";
    }
    boolean quote = false;
    for (int i = 0; i < value.length() && !quote; i++) {
      char c = value.charAt(i);
      quote = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }

  /** Appends nanoseconds as milliseconds with three decimals (microseconds), without rounding. */
  static void millis(StringBuilder out, long nanos) {
    long micros = nanos / 1000;
    if (micros < 0) {
      out.append('-');
      micros = -micros;
    }
    long fraction = micros % 1000;
    out.append(micros / 1000).append('.');
    if (fraction < 100) {
      out.append('0');
    }
    if (fraction < 10) {
      out.append('0');
    }
    out.append(fraction);
  }
}
