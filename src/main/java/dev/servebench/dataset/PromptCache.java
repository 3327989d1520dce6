package dev.servebench.dataset;

import dev.servebench.config.FileDigest;
import dev.servebench.tokenizer.ChatTemplate;
import dev.servebench.tokenizer.Tokenizer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * Remembers the prompts of a run so the next run with the same dataset, settings and tokenizer
 * starts at once: tokenizing a large ShareGPT file takes far longer than reading back its result.
 *
 * <p>The key is a SHA-256 of everything the prompts depend on: the format, every dataset option
 * (seed and bounds included), the dataset file's content (so an edited file is a miss, wherever it
 * lives), the tokenizer's {@link Tokenizer#fingerprint()} and the chat template's {@link
 * ChatTemplate#fingerprint()} when prompts were counted with one (or that none was). An entry is
 * written to a temporary file and renamed, so a reader never sees half of one; an unreadable entry
 * is simply rebuilt. A cache that cannot be written is no error: the run goes on without it.
 */
public final class PromptCache {

  /** Bumped whenever the entry layout or the way prompts are built changes. */
  private static final String FORMAT = "servebench-prompts-2";

  private final Path directory;

  /**
   * @param directory where entries live, or {@code null} for no caching
   */
  public PromptCache(Path directory) {
    this.directory = directory;
  }

  /** What {@link #load} did. */
  public record Loaded(List<Prompt> prompts, boolean fromCache) {}

  /**
   * The prompts from the cache, or from {@code build} (then stored for next time).
   *
   * @param chatTemplate the template {@code build} counts prompts with, or {@code null} when it
   *     counts their bare text
   */
  public Loaded load(
      DatasetFormat format,
      DatasetOptions options,
      Tokenizer tokenizer,
      ChatTemplate chatTemplate,
      Supplier<List<Prompt>> build) {
    if (directory == null) {
      return new Loaded(build.get(), false);
    }
    Path entry;
    try {
      entry = directory.resolve(key(format, options, tokenizer, chatTemplate) + ".prompts");
    } catch (IOException unreadableDataset) {
      return new Loaded(build.get(), false); // the loader will report the file properly
    }
    List<Prompt> cached = read(entry);
    if (cached != null && cached.size() == options.numPrompts()) {
      return new Loaded(cached, true);
    }
    List<Prompt> prompts = build.get();
    write(entry, prompts);
    return new Loaded(prompts, false);
  }

  private static String key(
      DatasetFormat format, DatasetOptions options, Tokenizer tokenizer, ChatTemplate chatTemplate)
      throws IOException {
    MessageDigest sha256 = FileDigest.sha256();
    String settings =
        FORMAT
            + "\n"
            + format.name()
            + "\n"
            + options
            + "\n"
            + tokenizer.fingerprint()
            + "\n"
            + (chatTemplate == null ? "no chat template" : chatTemplate.fingerprint());
    sha256.update(settings.getBytes(StandardCharsets.UTF_8));
    if (options.dataset() != null && format.readsFile()) {
      sha256.update(FileDigest.of(options.dataset()));
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  private static List<Prompt> read(Path entry) {
    if (!Files.isRegularFile(entry)) {
      return null;
    }
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(entry), 1 << 16))) {
      if (!FORMAT.equals(in.readUTF())) {
        return null;
      }
      int count = in.readInt();
      List<Prompt> prompts = new ArrayList<>(Math.max(0, Math.min(count, 1 << 20)));
      for (int i = 0; i < count; i++) {
        int promptTokens = in.readInt();
        int outputTokens = in.readInt();
        int length = in.readInt();
        byte[] text = in.readNBytes(length);
        if (text.length != length) {
          return null; // cut short: rebuilt rather than trusted
        }
        prompts.add(
            new Prompt(new String(text, StandardCharsets.UTF_8), promptTokens, outputTokens));
      }
      return prompts;
    } catch (IOException | RuntimeException damaged) {
      return null; // a damaged entry is rebuilt
    }
  }

  private static void write(Path entry, List<Prompt> prompts) {
    try {
      Files.createDirectories(entry.getParent());
      Path temporary =
          Files.createTempFile(entry.getParent(), entry.getFileName().toString(), ".tmp");
      try {
        writeEntry(temporary, prompts);
        try {
          Files.move(
              temporary,
              entry,
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException notAtomic) {
          Files.move(temporary, entry, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException | SecurityException notWritable) {
      // No cache this time; the prompts are right all the same.
    }
  }

  private static void writeEntry(Path temporary, List<Prompt> prompts) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16))) {
      out.writeUTF(FORMAT);
      out.writeInt(prompts.size());
      for (Prompt prompt : prompts) {
        byte[] text = prompt.text().getBytes(StandardCharsets.UTF_8);
        out.writeInt(prompt.promptTokens());
        out.writeInt(prompt.outputTokens());
        out.writeInt(text.length);
        out.write(text);
      }
    }
  }
}
