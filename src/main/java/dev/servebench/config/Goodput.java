package dev.servebench.config;

import dev.servebench.error.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code --goodput ttft:200 tpot:50 e2el:5000}: service-level objectives in milliseconds.
 */
public final class Goodput {

  /** The metrics an objective can name. */
  public static final Set<String> METRICS = Set.of("ttft", "tpot", "itl", "e2el");

  private Goodput() {}

  public static Map<String, Double> parse(List<String> objectives) {
    Map<String, Double> sloMillis = new LinkedHashMap<>();
    for (String objective : objectives) {
      int colon = objective.indexOf(':');
      String metric =
          colon < 0
              ? objective
              : objective.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
      if (colon < 0 || !METRICS.contains(metric)) {
        throw new InvalidInputException(
            "--goodput '"
                + objective
                + "': write METRIC:MILLISECONDS with METRIC one of ttft, tpot, itl, e2el (e.g. ttft:200)");
      }
      double millis;
      try {
        millis = Double.parseDouble(objective.substring(colon + 1).trim());
      } catch (NumberFormatException notNumber) {
        throw new InvalidInputException(
            "--goodput '" + objective + "': the limit must be a number of milliseconds");
      }
      if (!(millis > 0) || Double.isInfinite(millis)) {
        throw new InvalidInputException(
            "--goodput '" + objective + "': the limit must be a positive number of milliseconds");
      }
      if (sloMillis.put(metric, millis) != null) {
        throw new InvalidInputException("--goodput names " + metric + " twice");
      }
    }
    return Map.copyOf(sloMillis);
  }
}
