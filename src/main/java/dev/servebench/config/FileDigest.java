package dev.servebench.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;

/**
 * A file's content, summed up: the SHA-256 of its size, the CRC-32 of all of it and its first and
 * last MiB. zlib's CRC-32 reads a large file at the speed of the disk cache whatever the JIT
 * compiled, where SHA-256 of all of it takes seconds with the launcher's C1-only JIT; a CRC catches
 * any edit of a few bytes, and the hashed ends guard against a file rewritten to the same size and
 * sum. Good enough to key a cache of what was derived from the file, not to authenticate it.
 */
public final class FileDigest {

  private static final int END_BYTES = 1 << 20;

  private FileDigest() {}

  /** The 32-byte digest of {@code file}'s content. */
  public static byte[] of(Path file) throws IOException {
    MessageDigest sha256 = sha256();
    CRC32 crc = new CRC32();
    long size;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      size = channel.size();
      ByteBuffer buffer = ByteBuffer.allocateDirect(END_BYTES);
      for (long position = 0; position < size; ) {
        buffer.clear();
        int read = channel.read(buffer, position);
        if (read < 0) {
          break;
        }
        buffer.flip();
        if (position == 0 || position + read >= size) {
          sha256.update(buffer.duplicate());
        }
        crc.update(buffer);
        position += read;
      }
    }
    sha256.update(ByteBuffer.allocate(16).putLong(size).putLong(crc.getValue()).flip());
    return sha256.digest();
  }

  /** A SHA-256 digest; every JDK has one. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every JDK has SHA-256", impossible);
    }
  }
}
