package dev.servebench.exposition;

import java.util.List;
import java.util.Map;

/**
 * One scrape of a Prometheus text exposition: its samples in the order written, and the type each
 * {@code # TYPE} line declared, by metric family name.
 *
 * @param samples every sample line, in order
 * @param types family name to {@code counter}, {@code gauge}, {@code histogram}, {@code summary} or
 *     {@code untyped}; a family without a {@code TYPE} line is absent (untyped)
 */
public record Exposition(List<Sample> samples, Map<String, String> types) {

  public static final String COUNTER = "counter";
  public static final String GAUGE = "gauge";
  public static final String HISTOGRAM = "histogram";
  public static final String SUMMARY = "summary";
  public static final String UNTYPED = "untyped";

  public Exposition {
    samples = List.copyOf(samples);
    types = Map.copyOf(types);
  }

  /**
   * The type of the family a sample named {@code sampleName} belongs to: its own {@code TYPE}, or
   * that of the family it is a part of ({@code x_bucket}, {@code x_sum} and {@code x_count} of a
   * histogram or summary {@code x}; {@code x_total} of a counter {@code x}, as OpenMetrics names
   * counters); {@link #UNTYPED} when none is declared.
   */
  public String typeOf(String sampleName) {
    String own = types.get(sampleName);
    if (own != null) {
      return own;
    }
    for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_created")) {
      if (sampleName.endsWith(suffix)) {
        String family = types.get(sampleName.substring(0, sampleName.length() - suffix.length()));
        if (family != null) {
          return family;
        }
      }
    }
    return UNTYPED;
  }
}
