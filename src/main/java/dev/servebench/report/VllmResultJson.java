package dev.servebench.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RequestRecord;
import dev.servebench.schedule.RateRamp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * vLLM's {@code bench serve} result file ({@code --save-result}, {@code --append-result}): one JSON
 * object on one line, with vLLM's flat keys, units (seconds for the duration, milliseconds for the
 * latency statistics, per second for rates) and file name, so the scripts that read vLLM's results
 * read servebench's. Every figure is servebench's own, the one its summary holds (docs/metrics.md
 * says where servebench's definitions differ from vLLM's); a figure that cannot be computed is
 * {@code null}, where vLLM wrote 0 or NaN.
 */
public final class VllmResultJson {

  /** vLLM's {@code datetime.now().strftime("%Y%m%d-%H%M%S")}, in the file and its name. */
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** Like Python's {@code json.dump}: non-ASCII characters escaped, ", " and ": " between items. */
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private VllmResultJson() {}

  /**
   * Where and how the result is written.
   *
   * @param append add the result as a new line of the file ({@code --append-result}) instead of
   *     replacing it ({@code --save-result})
   * @param detailed add the per-request lists ({@code --save-detailed})
   * @param resultDir the directory of the file, or {@code null} for the working directory
   * @param resultFilename the file's name instead of vLLM's pattern, or {@code null}
   * @param label the name's first part instead of the backend ({@code --label}), or {@code null}
   */
  public record Options(
      boolean append, boolean detailed, Path resultDir, String resultFilename, String label) {

    public Options {
      if (resultFilename != null && resultFilename.isBlank()) {
        throw new InvalidInputException(
            "--result-filename is empty: give a file name, or drop it for vLLM's"
                + " <backend>-<rate>qps-<model>-<date>.json");
      }
      if (label != null && (label.isBlank() || label.contains("/"))) {
        throw new InvalidInputException(
            "--label '" + label + "' must be a non-empty name without '/': it starts a file name");
      }
    }
  }

  /**
   * What the run was, as vLLM names it.
   *
   * @param backend vLLM's {@code --backend} name (the protocol's own name when the run was given
   *     {@code --endpoint-type})
   * @param modelId the model
   * @param tokenizerId the tokenizer servebench counted tokens with
   * @param requestRatePerSecond {@code --request-rate}, infinite for all at once
   * @param maxConcurrency {@code --max-concurrency}, 0 for none
   * @param ramp {@code --ramp-up-strategy}, or {@code null}
   * @param metrics whose statistics the file holds ({@code --percentile-metrics})
   */
  public record Setup(
      String backend,
      String modelId,
      String tokenizerId,
      double requestRatePerSecond,
      double burstiness,
      int maxConcurrency,
      RateRamp ramp,
      List<PercentileMetric> metrics) {

    public Setup {
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(modelId, "modelId");
      metrics = List.copyOf(metrics);
    }
  }

  /** The model part of the file name of a run without a model name. */
  static final String NO_MODEL = "unknown-model";

  /**
   * vLLM's file name: {@code <label>-<rate>qps[-concurrency<N>]-<model>-<date>.json}, or with a
   * ramp {@code
   * <label>-ramp-up-<strategy>-<start>qps-<end>qps[-concurrency<N>]-<model>-<date>.json}; the label
   * is the backend unless given, the rate is written as Python writes a float ({@code 10.0}, {@code
   * inf}), the model is the part of its id after the last '/' ({@value #NO_MODEL} where the run had
   * none: neither named nor listed by the server, so the name never holds an empty part).
   */
  public static String fileName(Setup setup, String label, LocalDateTime date) {
    String concurrency = setup.maxConcurrency() > 0 ? "-concurrency" + setup.maxConcurrency() : "";
    String model = setup.modelId().substring(setup.modelId().lastIndexOf('/') + 1);
    if (model.isBlank()) {
      model = NO_MODEL;
    }
    String prefix = label != null ? label : setup.backend();
    String load =
        setup.ramp() != null
            ? "ramp-up-"
                + setup.ramp().strategy().flagValue()
                + "-"
                + setup.ramp().startPerSecond()
                + "qps-"
                + setup.ramp().endPerSecond()
                + "qps"
            : pythonFloat(setup.requestRatePerSecond()) + "qps";
    return prefix + "-" + load + concurrency + "-" + model + "-" + DATE.format(date) + ".json";
  }

  /** The file the result goes to: {@code --result-filename}, else vLLM's name, in the directory. */
  public static Path path(Options options, Setup setup, LocalDateTime date) {
    String name =
        options.resultFilename() != null
            ? options.resultFilename()
            : fileName(setup, options.label(), date);
    return options.resultDir() == null ? Path.of(name) : options.resultDir().resolve(name);
  }

  /**
   * Writes the result to {@code file}: replacing it, or, with {@code options.append()}, as a new
   * line after what it holds (vLLM's {@code --append-result}: a newline first unless the file is
   * empty, none at the end).
   *
   * @param details the per-request lists, or {@code null} without {@code --save-detailed}
   */
  public static void write(
      Summary summary, Setup setup, Options options, Details details, LocalDateTime date, Path file)
      throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    write(summary, setup, options.label(), details, date, line);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (options.append()) {
      boolean empty = !Files.exists(file) || Files.size(file) == 0;
      try (OutputStream out =
          Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        if (!empty) {
          out.write('\n');
        }
        line.writeTo(out);
      }
    } else {
      Files.write(file, line.toByteArray());
    }
  }

  /** Writes the result object to {@code out}, on one line; leaves {@code out} open. */
  static void write(
      Summary s, Setup setup, String label, Details details, LocalDateTime date, OutputStream out)
      throws IOException {
    JsonGenerator json = JSON.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    json.setPrettyPrinter(new PythonSeparators());
    json.writeStartObject();
    json.writeStringField("date", DATE.format(date));
    // vLLM writes the backend twice, endpoint_type for its older readers.
    json.writeStringField("endpoint_type", setup.backend());
    json.writeStringField("backend", setup.backend());
    json.writeStringField("label", label);
    json.writeStringField("model_id", setup.modelId());
    json.writeStringField("tokenizer_id", setup.tokenizerId());
    json.writeNumberField("num_prompts", s.counts().requests());
    if (Double.isInfinite(setup.requestRatePerSecond())) {
      json.writeStringField("request_rate", "inf");
    } else {
      json.writeNumberField("request_rate", setup.requestRatePerSecond());
    }
    json.writeNumberField("burstiness", setup.burstiness());
    if (setup.maxConcurrency() > 0) {
      json.writeNumberField("max_concurrency", setup.maxConcurrency());
    } else {
      json.writeNullField("max_concurrency");
    }
    if (setup.ramp() != null) {
      json.writeStringField("ramp_up_strategy", setup.ramp().strategy().flagValue());
      json.writeNumberField("ramp_up_start_rps", setup.ramp().startPerSecond());
      json.writeNumberField("ramp_up_end_rps", setup.ramp().endPerSecond());
    }
    number(json, "duration", s.throughput().durationNanos() / 1e9);
    json.writeNumberField("completed", s.counts().succeeded());
    json.writeNumberField("failed", s.counts().failed());
    json.writeNumberField("total_input_tokens", s.throughput().inputTokens());
    json.writeNumberField("total_output_tokens", s.throughput().outputTokens());
    number(json, "request_throughput", s.throughput().requestThroughputPerSecond());
    // vLLM writes null when no objective was given; so does Summary's NaN.
    number(json, "request_goodput", s.goodput().ratePerSecond());
    number(json, "output_throughput", s.throughput().outputTokensPerSecond());
    number(json, "total_token_throughput", s.throughput().totalTokensPerSecond());
    if (details != null) {
      details.write(json);
    }
    number(json, "max_output_tokens_per_s", s.throughput().peakOutputTokensPerSecond());
    json.writeNumberField("max_concurrent_requests", s.throughput().peakConcurrentRequests());
    for (PercentileMetric metric : setup.metrics()) {
      Distribution d = metric.of(s);
      number(json, "mean_" + metric.key() + "_ms", d.meanNanos() / 1e6);
      number(json, "median_" + metric.key() + "_ms", d.p50Nanos() / 1e6);
      number(json, "std_" + metric.key() + "_ms", d.stddevNanos() / 1e6);
      for (int i = 0; i < d.percentiles().size(); i++) {
        number(
            json,
            "p" + percentileWord(d.percentiles().get(i)) + "_" + metric.key() + "_ms",
            d.percentileNanos()[i] / 1e6);
      }
    }
    json.writeEndObject();
    json.flush();
  }

  /**
   * vLLM's name of a percentile level: {@code str(int(p))} when whole, else {@code str(p)}, as in
   * {@code p99_ttft_ms} and {@code p99.9_ttft_ms}.
   */
  static String percentileWord(double level) {
    return level == Math.rint(level) ? Long.toString((long) level) : pythonFloat(level);
  }

  /**
   * Python's {@code str(float)}: the shortest digits that read back as the same double, fixed
   * notation with at least one decimal for exponents -4 to 15 ({@code 10.0}, {@code 0.0001}), else
   * scientific ({@code 1e-05}, {@code 1.5e+16}); {@code inf} and {@code nan}.
   */
  static String pythonFloat(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (value == 0) {
      return 1 / value < 0 ? "-0.0" : "0.0";
    }
    BigDecimal shortest = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    String digits = shortest.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - shortest.scale();
    String sign = value < 0 ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
      String plain = shortest.toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return String.format(
        Locale.ROOT, "%s%se%s%02d", sign, mantissa, exponent < 0 ? "-" : "+", Math.abs(exponent));
  }

  /** NaN and Infinity have no JSON form; they are written as null. */
  private static void number(JsonGenerator json, String name, double value) throws IOException {
    if (Double.isFinite(value)) {
      json.writeNumberField(name, value);
    } else {
      json.writeNullField(name);
    }
  }

  /** One line, with the spaces Python's {@code json.dump} puts after ',' and ':'. */
  private static final class PythonSeparators extends MinimalPrettyPrinter {
    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator json) throws IOException {
      json.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator json) throws IOException {
      json.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator json) throws IOException {
      json.writeRaw(", ");
    }
  }

  /**
   * The per-request lists of {@code --save-detailed}, gathered as the run's records arrive: one
   * entry per measured request (warm-up left out), in the plan's order as vLLM lists its requests.
   * Memory grows with the requests and their chunks, as vLLM's lists do; only a run that asks for
   * the lists keeps them.
   */
  public static final class Details {

    private record Entry(
        int index,
        int inputTokens,
        int outputTokens,
        double ttftSeconds,
        double[] itlSeconds,
        double latencySeconds,
        double startSeconds,
        String generatedText,
        String error) {}

    private final List<Entry> entries = new ArrayList<>();

    /**
     * Adds one finished request. A request without a figure gets vLLM's defaults: TTFT 0 and no ITL
     * when it failed or was not streamed, latency (E2E, which every success has) and output tokens
     * 0 when it failed, an empty text when the text was not kept, an empty error when it succeeded.
     */
    public void add(RequestRecord record) {
      if (record.warmup()) {
        return;
      }
      boolean succeeded = record.succeeded();
      double[] itls = new double[succeeded ? record.itlSampleCount() : 0];
      for (int i = 0; i < itls.length; i++) {
        itls[i] = record.itlNanos(i) / 1e9;
      }
      long ttftNanos = succeeded ? record.ttftNanos() : RequestRecord.ABSENT;
      long latencyNanos = succeeded ? record.e2eNanos() : RequestRecord.ABSENT;
      long sentNanos =
          record.stamps().sentNanos() == RequestRecord.ABSENT
              ? record.stamps().intendedNanos()
              : record.stamps().sentNanos();
      String output = record.texts().output();
      entries.add(
          new Entry(
              record.index(),
              record.tokens().prompt(),
              succeeded ? record.tokens().output() : 0,
              ttftNanos == RequestRecord.ABSENT ? 0 : ttftNanos / 1e9,
              itls,
              latencyNanos == RequestRecord.ABSENT ? 0 : latencyNanos / 1e9,
              sentNanos / 1e9,
              output == null ? "" : output,
              succeeded
                  ? ""
                  : record.outcome().failureReason().label()
                      + (record.outcome().error() == null ? "" : ": " + record.outcome().error())));
    }

    /** How many requests the lists hold. */
    public int size() {
      return entries.size();
    }

    private void write(JsonGenerator json) throws IOException {
      List<Entry> ordered = new ArrayList<>(entries);
      ordered.sort(Comparator.comparingInt(Entry::index));
      json.writeArrayFieldStart("input_lens");
      for (Entry entry : ordered) {
        json.writeNumber(entry.inputTokens());
      }
      json.writeEndArray();
      json.writeArrayFieldStart("output_lens");
      for (Entry entry : ordered) {
        json.writeNumber(entry.outputTokens());
      }
      json.writeEndArray();
      json.writeArrayFieldStart("ttfts");
      for (Entry entry : ordered) {
        json.writeNumber(entry.ttftSeconds());
      }
      json.writeEndArray();
      json.writeArrayFieldStart("itls");
      for (Entry entry : ordered) {
        json.writeStartArray();
        for (double gap : entry.itlSeconds()) {
          json.writeNumber(gap);
        }
        json.writeEndArray();
      }
      json.writeEndArray();
      json.writeArrayFieldStart("latencies");
      for (Entry entry : ordered) {
        json.writeNumber(entry.latencySeconds());
      }
      json.writeEndArray();
      json.writeArrayFieldStart("start_times");
      for (Entry entry : ordered) {
        json.writeNumber(entry.startSeconds());
      }
      json.writeEndArray();
      json.writeArrayFieldStart("generated_texts");
      for (Entry entry : ordered) {
        json.writeString(entry.generatedText());
      }
      json.writeEndArray();
      json.writeArrayFieldStart("errors");
      for (Entry entry : ordered) {
        json.writeString(entry.error());
      }
      json.writeEndArray();
    }
  }
}
