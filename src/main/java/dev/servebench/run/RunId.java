package dev.servebench.run;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A run's id, the stem of each file it writes: what the run was, then when, then six random hex
 * digits so that two runs started in the same second differ: {@code <label>-<endpoint
 * type>-<load>-<model>-<yyyyMMdd-HHmmss>-<hex>}, e.g. {@code
 * nightly-openai-chat-10rps-Llama-3.1-8B-Instruct-20250101-120000-a1b2c3}.
 *
 * <p>The label is {@code --label}, else {@code servebench}; the load is the rate ({@code 10rps},
 * {@code 2.5rps}, {@code inf-rps} for all at once), {@code c8} for a closed loop of 8, {@code
 * trace} for a trace replayed at its own times, {@code ramp} for vLLM's ramp over the requests; the
 * model is the last path segment of the model name. The label and the model keep only {@code
 * A-Za-z0-9._-} (anything else becomes {@code _}) and are cut to {@link #MAX_LABEL_CHARS} and
 * {@link #MAX_MODEL_CHARS}, so that the id stays a safe, bounded file name. The time is UTC.
 */
final class RunId {

  /** Characters of the label kept in the id, at most. */
  static final int MAX_LABEL_CHARS = 40;

  /** Characters of the model kept in the id, at most: a long model name is cut, not the rest. */
  static final int MAX_MODEL_CHARS = 48;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private RunId() {}

  /**
   * The id of a run of {@code config} (its model name already discovered) started at {@code
   * startedAt}; {@code randomHex} tells apart runs started in the same second.
   */
  static String of(RunConfig config, Instant startedAt, String randomHex) {
    StringBuilder id = new StringBuilder(160);
    String label = config.identity().label();
    id.append(label == null ? "servebench" : fileSafe(label, MAX_LABEL_CHARS))
        .append('-')
        .append(config.endpoint().type().flagValue())
        .append('-')
        .append(load(config.load()));
    String model = model(config.endpoint().modelName());
    if (!model.isEmpty()) {
      id.append('-').append(model);
    }
    return id.append('-').append(TIME.format(startedAt)).append('-').append(randomHex).toString();
  }

  /** The load part: {@code 10rps}, {@code inf-rps}, {@code c8}, {@code trace} or {@code ramp}. */
  static String load(RunConfig.Load load) {
    if (load.closedLoop()) {
      return "c" + load.concurrency();
    }
    if (load.followsTrace()) {
      return "trace";
    }
    if (load.rampUp().perRequest() != null) {
      return "ramp";
    }
    if (Double.isInfinite(load.ratePerSecond())) {
      return "inf-rps";
    }
    return new BigDecimal(load.ratePerSecond())
            .round(new MathContext(6))
            .stripTrailingZeros()
            .toPlainString()
        + "rps";
  }

  /** The model's last path segment ({@code org/Model} gives {@code Model}), file-safe and cut. */
  static String model(String modelName) {
    if (modelName == null) {
      return "";
    }
    String name = modelName.strip();
    while (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    return fileSafe(name.substring(name.lastIndexOf('/') + 1), MAX_MODEL_CHARS);
  }

  /** {@code text} with every character outside {@code A-Za-z0-9._-} as {@code _}, cut. */
  static String fileSafe(String text, int maxChars) {
    StringBuilder safe = new StringBuilder(Math.min(text.length(), maxChars));
    for (int i = 0; i < text.length() && safe.length() < maxChars; i++) {
      char c = text.charAt(i);
      boolean kept =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      safe.append(kept ? c : '_');
    }
    return safe.toString();
  }
}
