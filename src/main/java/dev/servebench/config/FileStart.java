package dev.servebench.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The first bytes of an input file, to reject one that is plainly not text before it is read whole:
 * a gigabyte of binary data given as a dataset or tokenizer otherwise took a minute and gigabytes
 * of memory to be refused.
 */
public final class FileStart {

  /** How much of a file is looked at. */
  public static final int PROBE_BYTES = 4096;

  private FileStart() {}

  /** Whether the file's first {@link #PROBE_BYTES} hold a NUL byte, which no text file holds. */
  public static boolean looksBinary(Path file) throws IOException {
    for (byte b : firstBytes(file)) {
      if (b == 0) {
        return true;
      }
    }
    return false;
  }

  /** The first byte that is not white space, or -1 when the probed start holds none. */
  public static int firstNonSpace(Path file) throws IOException {
    for (byte b : firstBytes(file)) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b & 0xff;
      }
    }
    return -1;
  }

  private static byte[] firstBytes(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(PROBE_BYTES);
    }
  }
}
