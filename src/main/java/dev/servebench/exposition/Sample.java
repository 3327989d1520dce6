package dev.servebench.exposition;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sample line of a Prometheus text exposition: a series (metric name and labels) and its value.
 * The labels keep the order the server wrote them in, so {@link #series()} gives back what the
 * server wrote, escapes restored.
 *
 * @param name the sample's metric name, suffix included ({@code _total}, {@code _bucket}, {@code
 *     _sum}, {@code _count})
 * @param labels label names to values, unescaped, in the server's order
 * @param value the value: NaN and the infinities are allowed
 */
public record Sample(String name, Map<String, String> labels, double value) {

  public Sample {
    labels = labels.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /**
   * The series as the exposition writes it, {@code name{label="value",...}}: one string that {@link
   * ExpositionParser#parseSeries} reads back into the same name and labels.
   */
  public String series() {
    if (labels.isEmpty() && ExpositionParser.isLegacyName(name)) {
      return name;
    }
    StringBuilder text = new StringBuilder(name.length() + 16 * labels.size());
    boolean quotedName = !ExpositionParser.isLegacyName(name);
    if (quotedName) {
      text.append('{');
      appendQuoted(text, name);
    } else {
      text.append(name).append('{');
    }
    boolean first = !quotedName;
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!first) {
        text.append(',');
      }
      first = false;
      if (ExpositionParser.isLegacyName(label.getKey())) {
        text.append(label.getKey());
      } else {
        appendQuoted(text, label.getKey());
      }
      text.append('=');
      appendQuoted(text, label.getValue());
    }
    return text.append('}').toString();
  }

  private static void appendQuoted(StringBuilder text, String value) {
    text.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> text.append("\\\\");
        case '"' -> text.append("\\\"");
        case '\n' -> text.append("\\n");
        default -> text.append(c);
      }
    }
    text.append('"');
  }
}
