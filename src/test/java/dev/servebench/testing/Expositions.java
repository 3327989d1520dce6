package dev.servebench.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The fixture expositions of the test resources ({@code dev/servebench/exposition/*.prom}): the
 * format's own example, and one page each of vLLM, SGLang, TGI and llama.cpp written after their
 * documentation, whose counters are the placeholders {@code PROMPT}, {@code GENERATION} and {@code
 * PREEMPTIONS}.
 */
public final class Expositions {

  private Expositions() {}

  /** The fixture as it is. */
  public static String fixture(String name) {
    try (InputStream in =
        Expositions.class.getResourceAsStream("/dev/servebench/exposition/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fixture with its counters set. */
  public static String fixture(String name, long prompt, long generation, long preemptions) {
    return fixture(name)
        .replace("PROMPT", Long.toString(prompt))
        .replace("GENERATION", Long.toString(generation))
        .replace("PREEMPTIONS", Long.toString(preemptions));
  }
}
