package dev.servebench.exposition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the Prometheus text exposition format (version 0.0.4, what vLLM, SGLang, TGI and llama.cpp
 * serve on {@code /metrics}): {@code # HELP} and {@code # TYPE} lines, other comments, and sample
 * lines {@code name{label="value",...} value [timestamp]}, with label values escaped as {@code \\},
 * {@code \"} and {@code \n}, values that may be {@code NaN}, {@code +Inf} or {@code -Inf}, and
 * names outside the legacy character set quoted inside the braces ({@code {"my.metric",a="b"}}).
 *
 * <p>A sample's own timestamp is read and dropped: servebench stamps each scrape with the run's
 * clock instead, so that the server's series line up with the client's. Help texts are dropped too.
 * A line that breaks the format fails the whole exposition, naming the line: a scrape half read
 * would mix a server's series with gaps nobody sees. Malformed input of any kind fails with a
 * {@link MalformedExpositionException} and nothing else, which the scraper records as a failure.
 */
public final class ExpositionParser {

  private static final Pattern LEGACY_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern FLOAT =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
  private static final Set<String> TYPES =
      Set.of(
          Exposition.COUNTER,
          Exposition.GAUGE,
          Exposition.HISTOGRAM,
          Exposition.SUMMARY,
          Exposition.UNTYPED);

  private ExpositionParser() {}

  /**
   * Parses a whole exposition.
   *
   * @throws MalformedExpositionException naming the first line that breaks the format
   */
  public static Exposition parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new HashMap<>();
    int lineNumber = 0;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      lineNumber++;
      String line = text.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      start = end + 1;
      try {
        Cursor cursor = new Cursor(line);
        cursor.skipBlanks();
        if (cursor.atEnd()) {
          continue;
        }
        if (cursor.peek() == '#') {
          cursor.next();
          comment(cursor, types);
        } else {
          samples.add(sample(cursor, true));
        }
      } catch (IllegalArgumentException bad) {
        throw new MalformedExpositionException("line " + lineNumber + ": " + bad.getMessage());
      }
    }
    return new Exposition(samples, types);
  }

  /**
   * Reads back a series written by {@link Sample#series()}, giving it {@code value}.
   *
   * @throws MalformedExpositionException when {@code series} is not a series
   */
  public static Sample parseSeries(String series, double value) {
    try {
      Cursor cursor = new Cursor(series);
      Sample sample = sample(cursor, false);
      return new Sample(sample.name(), sample.labels(), value);
    } catch (IllegalArgumentException bad) {
      throw new MalformedExpositionException("series '" + series + "': " + bad.getMessage());
    }
  }

  /** Whether {@code name} needs no quotes: letters, digits, {@code _} and {@code :}. */
  static boolean isLegacyName(String name) {
    return LEGACY_NAME.matcher(name).matches();
  }

  /** {@code # HELP name text}, {@code # TYPE name type}, or any other comment (ignored). */
  private static void comment(Cursor cursor, Map<String, String> types) {
    cursor.skipBlanks();
    String keyword = cursor.word();
    if (!keyword.equals("TYPE") && !keyword.equals("HELP")) {
      return;
    }
    cursor.skipBlanks();
    String name = !cursor.atEnd() && cursor.peek() == '"' ? cursor.quoted() : cursor.identifier();
    if (name.isEmpty()) {
      throw new IllegalArgumentException("# " + keyword + " without a metric name");
    }
    if (keyword.equals("HELP")) {
      return;
    }
    cursor.skipBlanks();
    String type = cursor.word();
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "# TYPE "
              + name
              + " has type '"
              + type
              + "': expected counter, gauge, histogram, summary or untyped");
    }
    types.put(name, type);
  }

  /**
   * {@code name{labels} value [timestamp]}, or only {@code name{labels}} when {@code withValue} is
   * false.
   */
  private static Sample sample(Cursor cursor, boolean withValue) {
    String name = null;
    if (cursor.atEnd() || cursor.peek() != '{') {
      name = cursor.identifier();
      if (name.isEmpty()) {
        throw new IllegalArgumentException(
            "expected a metric name at '" + cursor.rest() + "' (letters, digits, _ and :)");
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    cursor.skipBlanks();
    if (!cursor.atEnd() && cursor.peek() == '{') {
      cursor.next();
      name = labels(cursor, name, labels);
    }
    if (name == null) {
      throw new IllegalArgumentException("the braces hold no quoted metric name");
    }
    if (!withValue) {
      cursor.skipBlanks();
      if (!cursor.atEnd()) {
        throw new IllegalArgumentException("unexpected '" + cursor.rest() + "' after the labels");
      }
      return new Sample(name, labels, 0);
    }
    cursor.skipBlanks();
    String valueText = cursor.word();
    if (valueText.isEmpty()) {
      throw new IllegalArgumentException("sample " + name + " has no value");
    }
    double value = value(valueText);
    cursor.skipBlanks();
    if (!cursor.atEnd()) {
      String timestamp = cursor.word();
      if (!TIMESTAMP.matcher(timestamp).matches()) {
        throw new IllegalArgumentException(
            "sample " + name + " has '" + timestamp + "' where a timestamp in ms may stand");
      }
      cursor.skipBlanks();
      if (!cursor.atEnd()) {
        throw new IllegalArgumentException(
            "unexpected '" + cursor.rest() + "' after the value and timestamp of " + name);
      }
    }
    return new Sample(name, labels, value);
  }

  /**
   * The label pairs after an opening brace, up to and including the closing one; returns the metric
   * name, which may be the first item, quoted.
   */
  private static String labels(Cursor cursor, String name, Map<String, String> labels) {
    boolean first = true;
    while (true) {
      cursor.skipBlanks();
      if (cursor.atEnd()) {
        throw new IllegalArgumentException("the labels have no closing '}'");
      }
      if (cursor.peek() == '}') {
        cursor.next();
        return name;
      }
      String label = cursor.peek() == '"' ? cursor.quoted() : cursor.identifier();
      if (label.isEmpty()) {
        throw new IllegalArgumentException("expected a label name at '" + cursor.rest() + "'");
      }
      cursor.skipBlanks();
      if (first && name == null && !cursor.atEnd() && cursor.peek() != '=') {
        name = label; // {"quoted.name", ...}
      } else {
        cursor.expect('=');
        cursor.skipBlanks();
        if (cursor.atEnd() || cursor.peek() != '"') {
          throw new IllegalArgumentException("label " + label + " has no quoted value");
        }
        labels.put(label, cursor.quoted());
      }
      first = false;
      cursor.skipBlanks();
      if (!cursor.atEnd() && cursor.peek() == ',') {
        cursor.next();
      } else if (cursor.atEnd() || cursor.peek() != '}') {
        throw new IllegalArgumentException(
            "expected ',' or '}' after label " + label + " at '" + cursor.rest() + "'");
      }
    }
  }

  /** A float as Go's ParseFloat reads it, NaN and the infinities in any case. */
  private static double value(String text) {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    switch (lower) {
      case "nan":
        return Double.NaN;
      case "inf", "+inf", "infinity", "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf", "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        if (!FLOAT.matcher(text).matches()) {
          throw new IllegalArgumentException("'" + text + "' is not a number");
        }
        return Double.parseDouble(text);
    }
  }

  /** A position in one line. */
  private static final class Cursor {
    private final String line;
    private int position;

    Cursor(String line) {
      this.line = line;
    }

    boolean atEnd() {
      return position >= line.length();
    }

    /**
     * The character at the cursor; at the end, an IllegalArgumentException like any other break of
     * the format, so that no path through the parser can fail with another exception.
     */
    char peek() {
      if (atEnd()) {
        throw new IllegalArgumentException("the line ends early: '" + line + "'");
      }
      return line.charAt(position);
    }

    void next() {
      position++;
    }

    String rest() {
      return line.substring(position);
    }

    void skipBlanks() {
      while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
        position++;
      }
    }

    void expect(char wanted) {
      if (atEnd() || peek() != wanted) {
        throw new IllegalArgumentException("expected '" + wanted + "' at '" + rest() + "'");
      }
      position++;
    }

    /** Up to the next blank or the end. */
    String word() {
      int start = position;
      while (!atEnd() && peek() != ' ' && peek() != '\t') {
        position++;
      }
      return line.substring(start, position);
    }

    /** A legacy name: letters, digits, {@code _} and {@code :}, not starting with a digit. */
    String identifier() {
      int start = position;
      while (!atEnd()) {
        char c = peek();
        boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        boolean digit = c >= '0' && c <= '9';
        if (!letter && !(digit && position > start)) {
          break;
        }
        position++;
      }
      return line.substring(start, position);
    }

    /** A double-quoted string at the cursor, its escapes undone. */
    String quoted() {
      expect('"');
      StringBuilder value = new StringBuilder();
      while (true) {
        if (atEnd()) {
          throw new IllegalArgumentException("a quoted string has no closing '\"'");
        }
        char c = peek();
        position++;
        if (c == '"') {
          return value.toString();
        }
        if (c != '\\') {
          value.append(c);
          continue;
        }
        if (atEnd()) {
          throw new IllegalArgumentException("a quoted string ends in a lone '\\'");
        }
        char escaped = peek();
        position++;
        switch (escaped) {
          case '\\' -> value.append('\\');
          case '"' -> value.append('"');
          case 'n' -> value.append('\n');
          default ->
              throw new IllegalArgumentException(
                  "'\\"
                      + escaped
                      + "' is not an escape of the format (only \\\\, \\\" and \\n are)");
        }
      }
    }
  }
}
