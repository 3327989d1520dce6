package dev.servebench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.exposition.ExpositionParser;
import dev.servebench.metrics.Aggregator;
import dev.servebench.metrics.Summary;
import dev.servebench.record.FailureReason;
import dev.servebench.record.ServerScrape;
import dev.servebench.testing.Records;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryCsvTest {

  @Test
  void oneFigurePerRowWithItsUnit() {
    Aggregator aggregator =
        new Aggregator(new Aggregator.Options(List.of(50.0, 99.99), Map.of("ttft", 100.0)));
    aggregator.add(Records.streamed(0, 0, 0, 10, 2, 30, 40));
    aggregator.add(Records.streamed(1, 1000, 1000, 10, 2, 50, 70));
    aggregator.add(Records.failed(2, 1500, 500, FailureReason.HTTP_STATUS, "HTTP 500"));
    Summary summary = aggregator.summarize(Records.run(Double.POSITIVE_INFINITY), null);
    List<String> lines = List.of(SummaryCsv.render(summary).split("\r\n"));

    assertThat(lines.get(0)).isEqualTo("figure,value,unit");
    assertThat(lines)
        .contains(
            "requests_total,3,requests",
            "requests_failed,1,requests",
            "ttft_count,2,samples",
            "ttft_mean,40,ms",
            "ttft_min,30,ms",
            "ttft_max,50,ms",
            "ttft_p99.99,50,ms",
            "goodput_fraction,0.666666667,fraction",
            "failures_http_status,1,requests",
            "failures_http_500,1,requests",
            "configured_rate,inf,requests/s")
        .noneMatch(line -> line.contains("NaN") || line.contains("E"));
    // A level asked for that is among the fixed ones is written once.
    assertThat(lines.stream().filter(line -> line.startsWith("ttft_p50,"))).hasSize(1);
    // A figure that cannot be computed is an empty value.
    assertThat(SummaryCsv.render(new Aggregator().summarize(Records.run(1), null)))
        .contains("\r\nttft_mean,,ms\r\n", "\r\nrequest_throughput,,requests/s\r\n");
  }

  @Test
  void theServersFiguresAreRowsWhereItWasScraped() {
    Aggregator aggregator = new Aggregator();
    aggregator.add(Records.streamed(0, 0, 0, 10, 2, 30, 40));
    for (int second = 0; second < 3; second++) {
      aggregator.add(
          new ServerScrape(
              second * 1_000_000_000L,
              1_000_000L,
              ExpositionParser.parse(
                  "vllm:num_requests_running "
                      + (2 + second)
                      + "\n"
                      + "vllm:num_requests_waiting "
                      + second
                      + "\n"
                      + "vllm:kv_cache_usage_perc 0.25\n"),
              null));
    }
    aggregator.add(new ServerScrape(3_000_000_000L, 1_000_000L, null, "HTTP 503"));
    List<String> lines =
        List.of(SummaryCsv.render(aggregator.summarize(Records.run(1), null)).split("\r\n"));

    assertThat(lines)
        .contains(
            "server_scrapes,4,scrapes",
            "server_failed_scrapes,1,scrapes",
            "server_running_min,2,requests",
            "server_running_mean,3,requests",
            "server_running_max,4,requests",
            "server_waiting_max,2,requests",
            "server_kv_cache_usage_mean,0.25,fraction");
    assertThat(lines).noneMatch(line -> line.startsWith("server_preemptions"));
    assertThat(SummaryCsv.render(new Aggregator().summarize(Records.run(1), null)))
        .doesNotContain("server_");
  }
}
