package dev.servebench.report;

import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The per-request CSV: one row per request of a records file, warm-up requests included (marked),
 * in file order. Times are milliseconds since the run's start; a value that does not apply (no
 * token arrived, a non-streamed request has no ITL) is an empty field. Written from the records
 * file, so it costs the run nothing while it measures.
 */
public final class RecordsCsv {

  /** The columns, as documented in docs/metrics.md ("CSV files"). */
  static final List<String> COLUMNS =
      List.of(
          "index",
          "status",
          "warmup",
          "failure_reason",
          "http_status",
          "attempts",
          "session",
          "turn",
          "streamed",
          "intended_ms",
          "sent_ms",
          "first_token_ms",
          "last_token_ms",
          "end_ms",
          "schedule_lag_ms",
          "ttft_ms",
          "tpot_ms",
          "e2e_ms",
          "itl_mean_ms",
          "itl_max_ms",
          "chunks",
          "prompt_tokens",
          "output_tokens",
          "output_tokens_source",
          "error");

  private RecordsCsv() {}

  /**
   * Writes the CSV of {@code recordsFile} to {@code csvFile}, atomically, reading the records one
   * at a time (constant memory).
   *
   * @return how many rows were written
   */
  public static long write(Path recordsFile, Path csvFile) throws IOException {
    long[] rows = new long[1];
    SummaryJson.writeAtomically(
        csvFile,
        out -> {
          Writer writer =
              new BufferedWriter(
                  new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
          writer.write(header());
          StringBuilder line = new StringBuilder(256);
          try {
            RecordReader.read(
                recordsFile,
                record -> {
                  line.setLength(0);
                  row(record, line);
                  try {
                    writer.write(line.toString());
                  } catch (IOException full) {
                    throw new UncheckedIOException(full);
                  }
                  rows[0]++;
                });
          } catch (UncheckedIOException full) {
            throw full.getCause();
          }
          writer.flush();
        });
    return rows[0];
  }

  static String header() {
    return String.join(",", COLUMNS) + Csv.LINE_END;
  }

  /** Appends one request's row, its line end included. */
  static void row(RequestRecord r, StringBuilder out) {
    RequestRecord.Stamps stamps = r.stamps();
    out.append(r.index()).append(',');
    out.append(r.succeeded() ? "ok" : r.cancelled() ? "cancelled" : "failed").append(',');
    out.append(r.warmup()).append(',');
    out.append(r.succeeded() ? "" : r.outcome().failureReason().label()).append(',');
    if (r.outcome().httpStatus() >= 0) {
      out.append(r.outcome().httpStatus());
    }
    out.append(',').append(r.outcome().attempts()).append(',');
    if (r.turn() != null) {
      out.append(r.turn().session()).append(',').append(r.turn().number());
    } else {
      out.append(',');
    }
    out.append(',').append(r.streamed()).append(',');
    stamp(out, stamps.intendedNanos());
    stamp(out, stamps.sentNanos());
    stamp(out, stamps.firstTokenNanos());
    stamp(out, stamps.lastTokenNanos());
    stamp(out, stamps.endNanos());
    interval(out, stamps.firstSentNanos() == RequestRecord.ABSENT ? null : r.scheduleLagNanos());
    interval(out, present(r.ttftNanos()));
    double tpotNanos = r.tpotNanos();
    interval(out, Double.isNaN(tpotNanos) ? null : Math.round(tpotNanos));
    interval(
        out,
        stamps.sentNanos() == RequestRecord.ABSENT || !r.succeeded()
            ? null
            : present(r.e2eNanos()));
    int gaps = r.itlSampleCount();
    long sumNanos = 0;
    long maxNanos = 0;
    for (int i = 0; i < gaps; i++) {
      sumNanos += r.itlNanos(i);
      maxNanos = Math.max(maxNanos, r.itlNanos(i));
    }
    interval(out, gaps == 0 ? null : Math.round(sumNanos / (double) gaps));
    interval(out, gaps == 0 ? null : maxNanos);
    out.append(r.chunks().count()).append(',');
    out.append(r.tokens().prompt()).append(',');
    out.append(r.tokens().output()).append(',');
    out.append(r.tokens().outputSource() == null ? "" : r.tokens().outputSource().label())
        .append(',');
    out.append(Csv.field(r.outcome().error()));
    out.append(Csv.LINE_END);
  }

  private static Long present(long nanos) {
    return nanos == RequestRecord.ABSENT ? null : nanos;
  }

  private static void stamp(StringBuilder out, long nanos) {
    interval(out, present(nanos));
  }

  private static void interval(StringBuilder out, Long nanos) {
    if (nanos != null) {
      Csv.millis(out, nanos);
    }
    out.append(',');
  }
}
