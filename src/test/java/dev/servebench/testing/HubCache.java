package dev.servebench.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Lays out a Hugging Face hub cache as {@code huggingface-cli download} leaves it: {@code
 * models--ORG--NAME/blobs/} holding the files, {@code snapshots/<revision>/} linking to them by
 * their names, and {@code refs/main} naming the revision.
 */
public final class HubCache {

  private HubCache() {}

  /**
   * Adds {@code files} (name in the repository to the file to copy) to {@code repoId}'s snapshot
   * {@code revision} in the cache {@code hub}, and points {@code refs/main} at it when {@code
   * main}.
   *
   * @return the snapshot directory
   */
  public static Path addSnapshot(
      Path hub, String repoId, String revision, boolean main, Map<String, Path> files) {
    try {
      Path repo = hub.resolve("models--" + repoId.replace("/", "--"));
      Path blobs = Files.createDirectories(repo.resolve("blobs"));
      Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(revision));
      for (Map.Entry<String, Path> file : files.entrySet()) {
        String blobName = revision + "-" + file.getKey();
        Path blob = blobs.resolve(blobName);
        if (!Files.exists(blob)) {
          Files.copy(file.getValue(), blob);
        }
        Files.createSymbolicLink(
            snapshot.resolve(file.getKey()), Path.of("..", "..", "blobs", blobName));
      }
      if (main) {
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs").resolve("main"), revision);
      }
      return snapshot;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
