package dev.servebench.run;

import dev.servebench.record.RecordReader;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunInfo;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * Request records put in a merged run's order (intended send time, then index) in bounded memory:
 * at most {@code inMemoryRecords} are held at once, and at most {@code inMemoryBytes} by an
 * estimate of each record's size (its chunk stamps and texts count: a long answer's record is many
 * times a short one's); past either, the held ones are sorted and written to a temporary file in
 * {@code spillDirectory} (a sorted run), and the runs are read back in step when the records are
 * handed on. A merge of a few shards stays in memory; one of millions of records holds one chunk
 * and one record per run, where sorting them whole held every record.
 */
final class RecordSort implements Closeable {

  /** The merged order: intended send time on the merged clock, then the plan's index. */
  static final Comparator<RequestRecord> ORDER =
      Comparator.comparingLong((RequestRecord record) -> record.stamps().intendedNanos())
          .thenComparingInt(RequestRecord::index);

  /** A writer of the records in order: throws what writing throws. */
  @FunctionalInterface
  interface Sink {
    void accept(RequestRecord record) throws IOException;
  }

  private static final RunInfo SPILL_HEADER =
      new RunInfo("merge-spill", "-", Instant.EPOCH, 0, Map.of());

  /** A record's size besides its chunks and texts: objects, stamps, strings of a short outcome. */
  private static final long RECORD_BYTES = 350;

  private final Path spillDirectory;
  private final int inMemoryRecords;
  private final long inMemoryBytes;
  private final List<RequestRecord> held = new ArrayList<>();
  private long heldBytes;
  private final List<Path> runs = new ArrayList<>();
  private final int maxFanIn;
  private int runFiles;

  /** Removes the runs when the process is stopped (SIGTERM, Ctrl-C) before {@link #close}. */
  private Thread cleanupOnExit;

  /**
   * @param spillDirectory where sorted runs are written when the records outgrow memory (created
   *     then, and removed with them on {@link #close})
   * @param inMemoryRecords the most records held at once, at least 1
   * @param inMemoryBytes the most bytes held at once, by {@link #estimatedBytes}
   * @param maxFanIn the most sorted runs read at once, at least 2
   */
  RecordSort(Path spillDirectory, int inMemoryRecords, long inMemoryBytes, int maxFanIn) {
    if (inMemoryRecords < 1 || inMemoryBytes < 1 || maxFanIn < 2) {
      throw new IllegalArgumentException(
          inMemoryRecords + " records, " + inMemoryBytes + " bytes, fan-in " + maxFanIn);
    }
    this.spillDirectory = spillDirectory;
    this.inMemoryRecords = inMemoryRecords;
    this.inMemoryBytes = inMemoryBytes;
    this.maxFanIn = maxFanIn;
  }

  /** Adds one record; may write the held ones to a sorted run first. */
  void add(RequestRecord record) throws IOException {
    long bytes = estimatedBytes(record);
    if (!held.isEmpty() && (held.size() == inMemoryRecords || heldBytes + bytes > inMemoryBytes)) {
      spill();
    }
    held.add(record);
    heldBytes += bytes;
  }

  /** About what {@code record} takes on the heap: a fixed part, 12 bytes a chunk, its texts. */
  static long estimatedBytes(RequestRecord record) {
    long bytes = RECORD_BYTES + 12L * record.chunks().count();
    RequestRecord.Texts texts = record.texts();
    if (texts != null) {
      bytes += 2L * (length(texts.prompt()) + length(texts.output()));
    }
    RequestRecord.Outcome outcome = record.outcome();
    if (outcome != null) {
      bytes += 2L * length(outcome.error());
      if (outcome.attemptErrors() != null) {
        for (String error : outcome.attemptErrors()) {
          bytes += 2L * length(error);
        }
      }
    }
    return bytes;
  }

  private static long length(String text) {
    return text == null ? 0 : text.length();
  }

  /** How many sorted runs were written to disk (0 while everything fits in memory). */
  int spilledRuns() {
    return runs.size();
  }

  /** Hands every record added to {@code sink} in {@link #ORDER}, once. */
  void drainInOrder(Sink sink) throws IOException {
    held.sort(ORDER);
    // Runs past the fan-in are merged into longer ones first, a fan-in at a time, so that the
    // last merge opens at most that many files (a process may open only so many: often 1,024).
    while (runs.size() > maxFanIn) {
      List<Path> group = new ArrayList<>(runs.subList(0, maxFanIn));
      Path merged = nextRunFile();
      try (RecordWriter writer = RecordWriter.create(merged, SPILL_HEADER)) {
        merge(group, List.of(), writer::write);
      }
      for (Path run : group) {
        Files.delete(run);
      }
      runs.subList(0, maxFanIn).clear();
      runs.add(merged);
    }
    merge(runs, held, sink);
    held.clear();
  }

  /** A k-way merge of sorted {@code files} and the sorted {@code inMemory} (one more run). */
  private static void merge(List<Path> files, List<RequestRecord> inMemory, Sink sink)
      throws IOException {
    record Head(RequestRecord record, int source) {}
    PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing(Head::record, ORDER));
    List<RecordReader.Cursor> cursors = new ArrayList<>();
    try {
      for (Path file : files) {
        RecordReader.Cursor cursor = RecordReader.Cursor.open(file);
        cursors.add(cursor);
        RequestRecord first = cursor.next();
        if (first != null) {
          heads.add(new Head(first, cursors.size() - 1));
        }
      }
      int inMemoryNext = 0;
      if (!inMemory.isEmpty()) {
        heads.add(new Head(inMemory.get(inMemoryNext++), -1));
      }
      while (!heads.isEmpty()) {
        Head head = heads.poll();
        sink.accept(head.record());
        RequestRecord next;
        if (head.source() < 0) {
          next = inMemoryNext < inMemory.size() ? inMemory.get(inMemoryNext++) : null;
        } else {
          next = cursors.get(head.source()).next();
        }
        if (next != null) {
          heads.add(new Head(next, head.source()));
        }
      }
    } finally {
      for (RecordReader.Cursor cursor : cursors) {
        cursor.close();
      }
    }
  }

  private Path nextRunFile() {
    return spillDirectory.resolve("run-" + runFiles++ + ".jsonl");
  }

  private void spill() throws IOException {
    held.sort(ORDER);
    Files.createDirectories(spillDirectory);
    if (cleanupOnExit == null) {
      cleanupOnExit =
          new Thread(
              () -> {
                try {
                  deleteRuns();
                } catch (IOException | UncheckedIOException ignored) {
                  // The process is ending; what cannot be removed is said by nothing else.
                }
              },
              "merge-spill-cleanup");
      Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    }
    Path run = nextRunFile();
    try (RecordWriter writer = RecordWriter.create(run, SPILL_HEADER)) {
      for (RequestRecord record : held) {
        writer.write(record);
      }
    }
    runs.add(run);
    held.clear();
    heldBytes = 0;
  }

  /** Removes the sorted runs and their directory. */
  @Override
  public void close() throws IOException {
    held.clear();
    if (cleanupOnExit != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs, or has run, instead.
      }
      cleanupOnExit = null;
    }
    deleteRuns();
  }

  private void deleteRuns() throws IOException {
    if (!Files.isDirectory(spillDirectory)) {
      return;
    }
    try (Stream<Path> files = Files.list(spillDirectory)) {
      files.forEach(
          file -> {
            try {
              Files.deleteIfExists(file);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Files.deleteIfExists(spillDirectory);
  }
}
