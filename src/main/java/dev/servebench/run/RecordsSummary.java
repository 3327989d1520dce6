package dev.servebench.run;

import dev.servebench.config.Goodput;
import dev.servebench.metrics.Aggregator;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RunInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's summary rebuilt from its records file alone, with the percentiles and objectives the run
 * used (from the file's header) unless the caller overrides them: what {@code report} and {@code
 * compare} show for a records file.
 */
public final class RecordsSummary {

  /**
   * The summary and what the reader noticed on the way (a torn last line, an unknown field).
   *
   * @param warnings one line each, for the user
   */
  public record Result(Summary summary, List<String> warnings) {}

  private RecordsSummary() {}

  /**
   * @param percentiles the levels to report, or {@code null} for the run's own
   * @param goodput objectives in ms by metric, or {@code null} for the run's own
   */
  public static Result read(Path recordsFile, List<Double> percentiles, Map<String, Double> goodput)
      throws IOException {
    // The objectives and percentiles come from the header, so the aggregator is made on first use.
    Aggregator[] aggregator = new Aggregator[1];
    RecordReader.Result result =
        RecordReader.read(
            recordsFile,
            run -> aggregator[0] = new Aggregator(options(run, percentiles, goodput)),
            record -> aggregator[0].add(record),
            scrape -> aggregator[0].add(scrape));
    if (aggregator[0] == null) {
      aggregator[0] = new Aggregator(options(result.run(), percentiles, goodput));
    }
    return new Result(aggregator[0].summarize(result.run(), result.end()), result.warnings());
  }

  /** The run's own percentiles and objectives unless given. */
  private static Aggregator.Options options(
      RunInfo run, List<Double> percentiles, Map<String, Double> goodput) {
    List<Double> levels = percentiles;
    if (levels == null) {
      levels = new ArrayList<>();
      if (run.configuration().get("percentiles") instanceof List<?> stored) {
        // A hand-edited header may hold anything: only valid levels are taken.
        for (Object level : stored) {
          if (level instanceof Number number
              && number.doubleValue() > 0
              && number.doubleValue() < 100) {
            levels.add(number.doubleValue());
          }
        }
      }
      if (levels.isEmpty()) {
        levels = Aggregator.Options.DEFAULT.percentiles();
      }
    }
    Map<String, Double> objectives = new LinkedHashMap<>();
    if (goodput != null) {
      objectives = goodput;
    } else if (run.configuration().get("goodput_slo_ms") instanceof Map<?, ?> stored) {
      for (Map.Entry<?, ?> entry : stored.entrySet()) {
        String metric = String.valueOf(entry.getKey());
        if (Goodput.METRICS.contains(metric)
            && entry.getValue() instanceof Number limit
            && limit.doubleValue() > 0) {
          objectives.put(metric, limit.doubleValue());
        }
      }
    }
    return new Aggregator.Options(List.copyOf(levels), Map.copyOf(objectives));
  }
}
