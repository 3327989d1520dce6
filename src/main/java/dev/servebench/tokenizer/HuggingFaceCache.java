package dev.servebench.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a repository's {@code tokenizer.json} in a Hugging Face hub cache, read-only: {@code
 * models--ORG--NAME/snapshots/<revision>/tokenizer.json}, the revision the one {@code refs/main}
 * names, else the newest snapshot that has the file (a cache filled by a download of a pinned
 * revision has no {@code refs/main}).
 */
final class HuggingFaceCache {

  private static final String PREFIX = "models--";
  private static final String SEPARATOR = "--";

  /**
   * What a look in the cache found: the file, or why there is none, in words for the not-found
   * message.
   */
  record Lookup(Path tokenizerFile, String notFound) {
    static Lookup found(Path file) {
      return new Lookup(file, null);
    }

    static Lookup missing(String why) {
      return new Lookup(null, why);
    }
  }

  private HuggingFaceCache() {}

  /**
   * The tokenizer of {@code repoId} ({@code ORG/NAME}, or a bare {@code NAME}) in the cache {@code
   * hub}. Case is ignored when the exact folder is absent (a server may list the id in other case);
   * a bare name also matches {@code models--ORG--NAME} of any one organisation, since servers often
   * list a model without it.
   */
  static Lookup find(Path hub, String repoId) {
    if (!Files.isDirectory(hub)) {
      return Lookup.missing("the directory does not exist");
    }
    String folder = PREFIX + repoId.replace("/", SEPARATOR);
    Optional<Path> repo = folder(hub, folder);
    if (repo.isEmpty() && !repoId.contains("/")) {
      List<Path> named = foldersNamed(hub, repoId);
      if (named.size() > 1) {
        return Lookup.missing(
            "several repositories are named "
                + repoId
                + " ("
                + String.join(", ", named.stream().map(HuggingFaceCache::repoId).toList())
                + "): pass --tokenizer ORG/NAME");
      }
      repo = named.stream().findFirst();
    }
    if (repo.isEmpty()) {
      return Lookup.missing("no " + folder);
    }
    return tokenizerOf(repo.get());
  }

  /**
   * {@code ORG/NAME} of a file at {@code models--ORG--NAME/snapshots/<revision>/FILE}, or {@code
   * null} for a file anywhere else.
   */
  static String repoIdOfFile(Path file) {
    Path revision = file.toAbsolutePath().getParent();
    Path snapshots = revision == null ? null : revision.getParent();
    Path repo = snapshots == null ? null : snapshots.getParent();
    if (repo == null
        || repo.getFileName() == null
        || !snapshots.getFileName().toString().equals("snapshots")
        || !repo.getFileName().toString().startsWith(PREFIX)) {
      return null;
    }
    return repoId(repo);
  }

  private static Lookup tokenizerOf(Path repo) {
    Path snapshots = repo.resolve("snapshots");
    String main = revision(repo.resolve("refs").resolve("main"));
    if (main != null) {
      Path file = snapshots.resolve(main).resolve("tokenizer.json");
      if (Files.isRegularFile(file)) {
        return Lookup.found(file);
      }
    }
    try (Stream<Path> revisions = Files.list(snapshots)) {
      Optional<Path> newest =
          revisions
              .filter(dir -> Files.isRegularFile(dir.resolve("tokenizer.json")))
              .max(
                  Comparator.comparing(HuggingFaceCache::modified)
                      .thenComparing(Path::getFileName));
      if (newest.isPresent()) {
        return Lookup.found(newest.get().resolve("tokenizer.json"));
      }
    } catch (IOException | UncheckedIOException unreadable) {
      // No snapshots directory: said below.
    }
    return Lookup.missing(
        repo.getFileName()
            + " has no snapshot with a tokenizer.json (only other files of the model were"
            + " downloaded)");
  }

  /** The commit {@code refs/main} names, or {@code null} when it is missing or unreadable. */
  private static String revision(Path ref) {
    try {
      String revision = Files.readString(ref).strip();
      // A revision is a commit hash: anything that could leave the snapshots directory is not.
      return revision.isEmpty() || revision.contains("/") || revision.contains("..")
          ? null
          : revision;
    } catch (IOException | UncheckedIOException unreadable) {
      return null;
    }
  }

  private static FileTime modified(Path dir) {
    try {
      return Files.getLastModifiedTime(dir);
    } catch (IOException unreadable) {
      return FileTime.fromMillis(0);
    }
  }

  private static Optional<Path> folder(Path hub, String folder) {
    Path exact = hub.resolve(folder);
    if (Files.isDirectory(exact)) {
      return Optional.of(exact);
    }
    return list(hub).stream()
        .filter(dir -> dir.getFileName().toString().equalsIgnoreCase(folder))
        .filter(Files::isDirectory)
        .sorted()
        .findFirst();
  }

  /** {@code models--ORG--NAME} folders of any organisation for a bare {@code name}. */
  private static List<Path> foldersNamed(Path hub, String name) {
    String suffix = (SEPARATOR + name).toLowerCase(Locale.ROOT);
    return list(hub).stream()
        .filter(
            dir -> {
              String folder = dir.getFileName().toString().toLowerCase(Locale.ROOT);
              return folder.startsWith(PREFIX)
                  && folder.endsWith(suffix)
                  && folder.length() - suffix.length() > PREFIX.length()
                  && !folder
                      .substring(PREFIX.length(), folder.length() - suffix.length())
                      .contains(SEPARATOR);
            })
        .filter(Files::isDirectory)
        .sorted()
        .toList();
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    } catch (IOException | UncheckedIOException unreadable) {
      return List.of();
    }
  }

  private static String repoId(Path folder) {
    return folder.getFileName().toString().substring(PREFIX.length()).replace(SEPARATOR, "/");
  }
}
