package dev.servebench.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How the mock server times a response: the time to its first token and the gap before each later
 * token. Either every request draws from two distributions ({@link Drawn}), or requests follow
 * explicit scripts in arrival order ({@link Scripted}), which makes the server's timing a known
 * ground truth for accuracy tests.
 *
 * <pre>{@code
 * new LatencySpec.Drawn(new Distribution.Normal(50, 5), new Distribution.Normal(10, 0));
 * LatencySpec.Scripted.fromJsonLines(Path.of("scripts.jsonl"));          // {"ttft_ms":50,"itl_ms":[10,250]}
 * }</pre>
 */
public sealed interface LatencySpec permits LatencySpec.Drawn, LatencySpec.Scripted {

  /** Each request draws its TTFT from {@code ttft} and each gap from {@code itl}. */
  record Drawn(Distribution ttft, Distribution itl) implements LatencySpec {
    public Drawn {
      Objects.requireNonNull(ttft, "ttft");
      Objects.requireNonNull(itl, "itl");
    }
  }

  /** Request number {@code i} (in arrival order, from 0) follows script {@code i % size}. */
  record Scripted(List<Script> scripts) implements LatencySpec {
    public Scripted {
      scripts = List.copyOf(scripts);
      if (scripts.isEmpty()) {
        throw new InvalidInputException("a latency script list must hold at least one script");
      }
    }

    /**
     * Reads one script per non-blank line, each {@code {"ttft_ms": 50, "itl_ms": [10, 10, 250]}}.
     *
     * @throws InvalidInputException naming the file and line of anything unreadable or malformed
     */
    public static Scripted fromJsonLines(Path file) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file);
      } catch (IOException e) {
        throw new InvalidInputException("cannot read latency scripts " + file + ": " + e, e);
      }
      List<Script> scripts = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).isBlank()) {
          scripts.add(Script.parse(lines.get(i), file + " line " + (i + 1)));
        }
      }
      if (scripts.isEmpty()) {
        throw new InvalidInputException("latency script file " + file + " holds no scripts");
      }
      return new Scripted(scripts);
    }
  }

  /**
   * One request's timing.
   *
   * @param ttftMillis time from receiving the request to its first token
   * @param itlMillis gaps before the second, third, ... token; the last one repeats for longer
   *     outputs
   */
  record Script(double ttftMillis, List<Double> itlMillis) {
    public Script {
      itlMillis = List.copyOf(itlMillis);
      Checks.requireMillis("script TTFT", ttftMillis);
      if (itlMillis.isEmpty()) {
        throw new InvalidInputException("a latency script needs at least one ITL value");
      }
      for (double gap : itlMillis) {
        Checks.requireMillis("script ITL", gap);
      }
    }

    static Script parse(String json, String where) {
      JsonNode node;
      try {
        node = MockJson.MAPPER.readTree(json);
      } catch (IOException e) {
        throw new InvalidInputException(where + " is not JSON: " + e.getMessage(), e);
      }
      JsonNode ttft = node.path("ttft_ms");
      JsonNode itl = node.path("itl_ms");
      if (!ttft.isNumber() || !itl.isArray()) {
        throw new InvalidInputException(
            where + " must be {\"ttft_ms\": number, \"itl_ms\": [numbers]}, got " + json.strip());
      }
      List<Double> gaps = new ArrayList<>();
      for (JsonNode gap : itl) {
        if (!gap.isNumber()) {
          throw new InvalidInputException(where + ": itl_ms holds a non-number " + gap);
        }
        gaps.add(gap.doubleValue());
      }
      try {
        return new Script(ttft.doubleValue(), gaps);
      } catch (InvalidInputException e) {
        throw new InvalidInputException(where + ": " + e.getMessage(), e);
      }
    }
  }

  /** A distribution of latencies in milliseconds, clamped at zero when drawn. */
  sealed interface Distribution permits Distribution.Normal {

    /** One latency; never negative. */
    double drawMillis(RandomGenerator random);

    /** Gaussian, clamped at zero; a zero standard deviation draws no random number. */
    record Normal(double meanMillis, double stddevMillis) implements Distribution {
      public Normal {
        Checks.requireMillis("mean latency", meanMillis);
        Checks.requireMillis("latency standard deviation", stddevMillis);
      }

      @Override
      public double drawMillis(RandomGenerator random) {
        return stddevMillis == 0
            ? meanMillis
            : Math.max(0, random.nextGaussian(meanMillis, stddevMillis));
      }
    }
  }
}
