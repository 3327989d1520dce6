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
}
