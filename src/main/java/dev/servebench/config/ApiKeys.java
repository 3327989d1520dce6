package dev.servebench.config;

import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Where the API key comes from: {@code --api-key}, {@code --api-key-file}, or the environment. */
public final class ApiKeys {

  private ApiKeys() {}

  /**
   * The key to send, or {@code null} for none.
   *
   * @param flagValue {@code --api-key}, or {@code null}
   * @param file {@code --api-key-file}, or {@code null}: its first line is the key
   * @param environmentValue {@code OPENAI_API_KEY}, or {@code null}
   */
  public static String resolve(String flagValue, Path file, String environmentValue) {
    if (flagValue != null && file != null) {
      throw new InvalidInputException(
          "--api-key and --api-key-file both give a key: give one of them");
    }
    String key = flagValue;
    if (file != null) {
      try {
        key = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      } catch (IOException unreadable) {
        // The message names the file only: the key itself never appears in an error.
        throw new InvalidInputException("--api-key-file " + file + " " + why(file, unreadable));
      }
      if (key.isBlank()) {
        throw new InvalidInputException(
            "--api-key-file " + file + " is empty: its first line must be the key");
      }
    }
    if (key == null) {
      key = environmentValue;
    }
    if (key == null || key.isBlank()) {
      return null;
    }
    key = key.strip();
    // It travels in a header field, where a control character would end the field early.
    if (key.chars().anyMatch(c -> c < 0x20 || c >= 0x7f)) {
      throw new InvalidInputException(
          "the API key contains a character other than printable ASCII: check --api-key,"
              + " --api-key-file or OPENAI_API_KEY");
    }
    return key;
  }

  /** Why a key file could not be read, in words a user can act on. */
  private static String why(Path file, IOException unreadable) {
    if (unreadable instanceof NoSuchFileException) {
      return "does not exist: check the path";
    }
    if (unreadable instanceof AccessDeniedException) {
      return "cannot be read: permission denied (check its owner and mode)";
    }
    if (Files.isDirectory(file)) {
      return "is a directory: pass the file that holds the key";
    }
    if (unreadable instanceof CharacterCodingException) {
      return "is not text (not UTF-8): its first line must be the key";
    }
    return "cannot be read: " + unreadable.getMessage();
  }
}
