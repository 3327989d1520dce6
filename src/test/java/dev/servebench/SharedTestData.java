package dev.servebench;

import java.nio.file.Path;

/** The read-only sample data shared by the project's worktrees; Maven passes its location. */
public final class SharedTestData {

  private SharedTestData() {}

  /** A file under the shared {@code data} directory, such as {@code tokenizers/gpt2.json}. */
  public static Path data(String relativePath) {
    String shared = System.getProperty("servebench.shared", "../shared");
    return Path.of(shared, "data").resolve(relativePath);
  }
}
