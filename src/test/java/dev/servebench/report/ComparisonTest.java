package dev.servebench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.report.Comparison.Better;
import org.junit.jupiter.api.Test;

class ComparisonTest {

  @Test
  void bestFollowsTheFiguresDirection() {
    Double[] values = {3.0, 1.0, null, 2.0};

    assertThat(Comparison.best(Better.LOWER, values)).isEqualTo(1);
    assertThat(Comparison.best(Better.HIGHER, values)).isZero();
    assertThat(Comparison.best(Better.NEITHER, values)).isEqualTo(-1);
  }

  @Test
  void noBestAmongEqualValuesOrASingleOne() {
    assertThat(Comparison.best(Better.LOWER, new Double[] {2.0, 2.0})).isEqualTo(-1);
    assertThat(Comparison.best(Better.LOWER, new Double[] {2.0, null})).isEqualTo(-1);
  }

  @Test
  void changeIsRelativeToTheBaseline() {
    assertThat(Comparison.changePercent(50.0, 75.0)).isEqualTo(50.0);
    assertThat(Comparison.changePercent(-4.0, -2.0)).isEqualTo(50.0);
    assertThat(Comparison.changePercent(0.0, 1.0)).isNull();
    assertThat(Comparison.changePercent(null, 1.0)).isNull();
  }

  @Test
  void theServersOwnFiguresAreRowsWhereARunScrapedThem() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper mapper =
        new com.fasterxml.jackson.databind.ObjectMapper();
    String scraped =
        """
        {"requests": {"succeeded": 10, "failed": 0},
         "server_metrics": {"figures": {
           "running": {"mean": 7.5, "max": 8},
           "waiting": {"mean": 1.0, "max": 4},
           "kv_cache_usage": {"mean": 0.4, "max": 0.62},
           "generation_tokens_per_s": {"mean": 900.0, "max": 1000},
           "preemptions_per_s": {"mean": 0.5, "max": 2}}}}
        """;
    String other =
        """
        {"requests": {"succeeded": 10, "failed": 0},
         "server_metrics": {"figures": {"waiting": {"mean": 0.0, "max": 1},
           "generation_tokens_per_s": {"mean": 1200.0, "max": 1300}}}}
        """;
    Comparison comparison =
        new Comparison(
            java.util.List.of(
                new Comparison.Run("a", mapper.readTree(scraped)),
                new Comparison.Run("b", mapper.readTree(other))));

    java.util.Map<String, Comparison.FigureRow> rows = new java.util.HashMap<>();
    for (Comparison.FigureRow row : comparison.figureRows()) {
      rows.put(row.figure().name(), row);
    }
    assertThat(rows)
        .containsKeys(
            "Server running requests, mean",
            "Server waiting requests, max",
            "Server KV-cache use, max (0-1)",
            "Server generation tok/s, mean",
            "Server preemptions/s, mean");
    // Fewer waiting and more generated tokens are better: run b on both.
    assertThat(rows.get("Server waiting requests, max").best()).isEqualTo(1);
    assertThat(rows.get("Server generation tok/s, mean").best()).isEqualTo(1);
    assertThat(rows.get("Server KV-cache use, max (0-1)").cells().get(1)).isEqualTo("-");

    Comparison unscraped =
        new Comparison(
            java.util.List.of(
                new Comparison.Run("c", mapper.readTree("{\"requests\": {\"succeeded\": 1}}"))));
    assertThat(unscraped.figureRows()).noneMatch(row -> row.figure().name().startsWith("Server "));
  }
}
