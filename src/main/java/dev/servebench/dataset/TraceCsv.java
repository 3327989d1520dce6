package dev.servebench.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A CSV trace, read line by line: the columns are found by name in the header (in any order, among
 * any others), so a file with extra columns reads the same.
 *
 * <ul>
 *   <li>Azure LLM inference trace: {@code TIMESTAMP,ContextTokens,GeneratedTokens}, the timestamp a
 *       date and time such as {@code 2023-11-16 18:15:46.6805900} (any fraction of a second; a zone
 *       offset such as {@code +00:00} is honoured, none means UTC);
 *   <li>BurstGPT: {@code Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type}, the
 *       timestamp in seconds (whole or fractional).
 * </ul>
 *
 * <p>Fields may be quoted ({@code "..."}, a quote inside doubled); a record is one line.
 */
final class TraceCsv implements TraceDataset.Rows {

  /** A CSV trace's layout: the names of its three columns and how its time reads. */
  enum Layout {
    AZURE("TIMESTAMP", "ContextTokens", "GeneratedTokens", "a date and time"),
    BURSTGPT("Timestamp", "Request tokens", "Response tokens", "seconds");

    private final String timeColumn;
    private final String inputColumn;
    private final String outputColumn;
    private final String timeUnit;

    Layout(String timeColumn, String inputColumn, String outputColumn, String timeUnit) {
      this.timeColumn = timeColumn;
      this.inputColumn = inputColumn;
      this.outputColumn = outputColumn;
      this.timeUnit = timeUnit;
    }

    /** The header's columns, for messages. */
    String columns() {
      return timeColumn + "," + inputColumn + "," + outputColumn;
    }
  }

  /**
   * {@code 2023-11-16 18:15:46.6805900}, with a {@code T} or a space between date and time, any
   * number of fraction digits, and an optional offset ({@code Z}, {@code +00:00}, {@code +0000},
   * {@code +00}).
   */
  private static final DateTimeFormatter DATE_TIME =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .appendPattern("HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:MM", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HHMM", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH", "Z")
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private static final String BYTE_ORDER_MARK = "\uFEFF";

  private final Path file;
  private final Layout layout;
  private final BufferedReader reader;
  private final int timeIndex;
  private final int inputIndex;
  private final int outputIndex;
  private long lineNumber;

  private TraceCsv(Path file, Layout layout, BufferedReader reader) throws IOException {
    this.file = file;
    this.layout = layout;
    this.reader = reader;
    String header = reader.readLine();
    lineNumber = 1;
    if (header != null && header.startsWith(BYTE_ORDER_MARK)) {
      header = header.substring(1);
    }
    List<String> names = header == null ? null : fields(header);
    if (names == null) {
      throw TraceDataset.bad(
          file, 1, "is no CSV header: the first line must name the columns " + layout.columns());
    }
    timeIndex = column(names, layout.timeColumn, header);
    inputIndex = column(names, layout.inputColumn, header);
    outputIndex = column(names, layout.outputColumn, header);
  }

  static TraceCsv azure(Path file) throws IOException {
    return open(file, Layout.AZURE);
  }

  static TraceCsv burstGpt(Path file) throws IOException {
    return open(file, Layout.BURSTGPT);
  }

  private static TraceCsv open(Path file, Layout layout) throws IOException {
    BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    try {
      return new TraceCsv(file, layout, reader);
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  @Override
  public TraceDataset.Row next() throws IOException {
    for (String text = reader.readLine(); text != null; text = reader.readLine()) {
      lineNumber++;
      if (!text.isBlank()) {
        return parse(text);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  private TraceDataset.Row parse(String text) {
    List<String> values = fields(text);
    if (values == null) {
      throw bad("has a quoted field that does not end on the line");
    }
    int needed = Math.max(timeIndex, Math.max(inputIndex, outputIndex)) + 1;
    if (values.size() < needed) {
      throw bad("has " + values.size() + " fields, fewer than the header's columns");
    }
    return new TraceDataset.Row(
        lineNumber,
        timestampNanos(values.get(timeIndex)),
        tokens(layout.inputColumn, values.get(inputIndex)),
        tokens(layout.outputColumn, values.get(outputIndex)),
        new long[0]);
  }

  private long timestampNanos(String value) {
    String text = value.strip();
    try {
      return switch (layout) {
        case AZURE -> dateTimeNanos(text);
        case BURSTGPT ->
            new BigDecimal(text)
                .movePointRight(9)
                .setScale(0, RoundingMode.HALF_EVEN)
                .longValueExact();
      };
    } catch (DateTimeParseException | NumberFormatException | ArithmeticException notATime) {
      throw bad(
          "has "
              + layout.timeColumn
              + " '"
              + text
              + "', not "
              + layout.timeUnit
              + (layout == Layout.AZURE ? " such as 2023-11-16 18:15:46.6805900" : ""));
    }
  }

  /** Nanoseconds since the epoch of a date and time; one without an offset is taken as UTC. */
  static long dateTimeNanos(String text) {
    TemporalAccessor parsed = DATE_TIME.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
    OffsetDateTime time =
        parsed instanceof OffsetDateTime offset
            ? offset
            : ((LocalDateTime) parsed).atOffset(ZoneOffset.UTC);
    return Math.addExact(Math.multiplyExact(time.toEpochSecond(), 1_000_000_000L), time.getNano());
  }

  private int tokens(String column, String value) {
    String text = value.strip();
    int tokens;
    try {
      tokens = Integer.parseInt(text);
    } catch (NumberFormatException notWhole) {
      throw bad("has " + column + " '" + text + "', not a whole number of tokens");
    }
    if (tokens < 0) {
      throw bad("has " + column + " " + tokens + ", below 0");
    }
    return tokens;
  }

  private int column(List<String> names, String wanted, String header) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).strip().equalsIgnoreCase(wanted)) {
        return i;
      }
    }
    throw TraceDataset.bad(
        file,
        1,
        "is the header '"
            + header
            + "', which has no column '"
            + wanted
            + "': pass "
            + DatasetFiles.shape(
                layout == Layout.AZURE ? DatasetFormat.AZURE : DatasetFormat.BURSTGPT));
  }

  /** The fields of one CSV line, or {@code null} when a quoted field does not end on it. */
  static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c != '"') {
          field.append(c);
        } else if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      return null;
    }
    fields.add(field.toString());
    return fields;
  }

  private RuntimeException bad(String problem) {
    return TraceDataset.bad(
        file, lineNumber, problem + ": every row must have " + layout.columns() + " columns");
  }
}
