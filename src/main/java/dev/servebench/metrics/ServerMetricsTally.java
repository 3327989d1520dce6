package dev.servebench.metrics;

import dev.servebench.exposition.Sample;
import dev.servebench.record.ServerScrape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Folds the scrapes of the server's metrics into {@link Summary.ServerMetrics}: each scrape's known
 * series become {@link ServerFigure}s (through {@link ServerSeries}), counters become rates between
 * consecutive scrapes, and the figures are kept per second of the run beside their min, mean and
 * max over the scrapes. A scrape stamped before the run's start (negative: taken while the plan
 * waited for {@code --start-at}) only sets the counters' baseline: it is in no figure, second or
 * min/mean/max, which cover the run alone. Memory grows with the run's seconds and the names of the
 * series, never with the samples. Fed in file order by one thread, as {@link Aggregator} is.
 */
final class ServerMetricsTally {

  private static final double NANOS_PER_SECOND = 1e9;

  private long scrapes;
  private long failed;
  private String firstError;

  /** Each counter series' last value and the scrape time it was read at, by series. */
  private final Map<String, double[]> lastCounters = new HashMap<>();

  private final Map<ServerFigure, RunningMoments> moments = new EnumMap<>(ServerFigure.class);
  private final Map<ServerFigure, double[]> ranges = new EnumMap<>(ServerFigure.class);
  private final Map<ServerFigure, String> sources = new EnumMap<>(ServerFigure.class);
  private final Set<String> servers = new LinkedHashSet<>();
  private final Set<String> names = new TreeSet<>();
  private final Set<String> mappedNames = new HashSet<>();

  /** Per second of the run: each figure's sum over the second's scrapes, and their number. */
  private final List<Map<ServerFigure, double[]>> seconds = new ArrayList<>();

  void add(ServerScrape scrape) {
    scrapes++;
    if (!scrape.succeeded()) {
      failed++;
      if (firstError == null) {
        firstError = scrape.error();
      }
      return;
    }
    Map<String, List<Sample>> byName = new HashMap<>();
    for (Sample sample : scrape.exposition().samples()) {
      byName.computeIfAbsent(sample.name(), name -> new ArrayList<>()).add(sample);
    }
    names.addAll(byName.keySet());
    boolean beforeStart = scrape.atNanos() < 0;
    Map<ServerFigure, Double> figures = new EnumMap<>(ServerFigure.class);
    for (ServerSeries.Source source : ServerSeries.SOURCES) {
      List<Sample> samples = byName.get(source.sampleName());
      if (samples == null) {
        continue;
      }
      mappedNames.add(source.sampleName());
      servers.add(source.server());
      // Every counter is read at every scrape, so that its rate always spans one interval.
      double value =
          source.kind() == ServerSeries.Kind.COUNTER
              ? rate(samples, scrape.atNanos())
              : gauge(samples, source.kind());
      // The first source present gives the figure, even before its counter has a rate.
      if (!beforeStart && !figures.containsKey(source.figure())) {
        figures.put(source.figure(), value);
        sources.putIfAbsent(source.figure(), source.sampleName());
      }
    }
    for (Map.Entry<ServerFigure, Double> figure : figures.entrySet()) {
      double value = figure.getValue();
      if (Double.isNaN(value)) {
        continue; // a counter's first reading, or a server's NaN: no figure this time
      }
      moments.computeIfAbsent(figure.getKey(), key -> new RunningMoments()).add(value);
      double[] range =
          ranges.computeIfAbsent(
              figure.getKey(),
              key -> new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
      range[0] = Math.min(range[0], value);
      range[1] = Math.max(range[1], value);
      double[] second =
          secondAt(scrape.atNanos()).computeIfAbsent(figure.getKey(), key -> new double[2]);
      second[0] += value;
      second[1]++;
    }
  }

  /**
   * The counters' increase per second since the previous scrape, summed over their label sets; NaN
   * when none of them was read before. A counter lower than before was reset (the server
   * restarted): its whole value is what it counted since.
   */
  private double rate(List<Sample> samples, long atNanos) {
    double perSecond = 0;
    boolean any = false;
    for (Sample sample : samples) {
      String series = sample.series();
      double[] last = lastCounters.get(series);
      lastCounters.put(series, new double[] {sample.value(), atNanos});
      if (last == null || atNanos <= last[1] || Double.isNaN(sample.value())) {
        continue;
      }
      double increase = sample.value() >= last[0] ? sample.value() - last[0] : sample.value();
      perSecond += increase * NANOS_PER_SECOND / (atNanos - last[1]);
      any = true;
    }
    return any ? perSecond : Double.NaN;
  }

  private static double gauge(List<Sample> samples, ServerSeries.Kind kind) {
    double sum = 0;
    for (Sample sample : samples) {
      sum += sample.value();
    }
    return kind == ServerSeries.Kind.GAUGE_MEAN ? sum / samples.size() : sum;
  }

  private Map<ServerFigure, double[]> secondAt(long nanos) {
    int second = (int) (nanos / (long) NANOS_PER_SECOND); // never negative: see add
    while (seconds.size() <= second) {
      seconds.add(new EnumMap<>(ServerFigure.class));
    }
    return seconds.get(second);
  }

  /**
   * The server's figures, or {@code null} when no scrape was recorded (the run scraped nothing).
   *
   * @param url where the scrapes went, as the run's header says, or {@code null}
   */
  Summary.ServerMetrics summarize(String url) {
    if (scrapes == 0) {
      return null;
    }
    Map<ServerFigure, Summary.ServerFigureStats> stats = new EnumMap<>(ServerFigure.class);
    for (Map.Entry<ServerFigure, RunningMoments> figure : moments.entrySet()) {
      double[] range = ranges.get(figure.getKey());
      stats.put(
          figure.getKey(),
          new Summary.ServerFigureStats(
              figure.getValue().count(), range[0], figure.getValue().mean(), range[1]));
    }
    List<Summary.ServerSecond> perSecond = new ArrayList<>();
    for (int index = 0; index < seconds.size(); index++) {
      Map<ServerFigure, double[]> second = seconds.get(index);
      if (second.isEmpty()) {
        continue;
      }
      Map<ServerFigure, Double> values = new EnumMap<>(ServerFigure.class);
      second.forEach((figure, sum) -> values.put(figure, sum[0] / sum[1]));
      perSecond.add(new Summary.ServerSecond(index, Collections.unmodifiableMap(values)));
    }
    List<String> raw = new ArrayList<>();
    for (String name : names) {
      if (!mappedNames.contains(name)) {
        raw.add(name);
      }
    }
    return new Summary.ServerMetrics(
        url,
        scrapes,
        failed,
        firstError,
        List.copyOf(servers),
        Collections.unmodifiableMap(stats),
        Collections.unmodifiableMap(new EnumMap<>(sources)),
        List.copyOf(perSecond),
        List.copyOf(raw));
  }
}
