package dev.servebench.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.config.Version;
import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.ConcurrencyPeak;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import dev.servebench.record.ServerScrape;
import dev.servebench.report.HtmlReport;
import dev.servebench.report.SummaryJson;
import dev.servebench.schedule.Shard;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Combines the records files of the shards of one plan ({@code --shard I/N}) into the records file
 * one process sending the whole plan would have written, and reports it (docs/scale-out.md).
 *
 * <p>Nothing is averaged: the records are concatenated, in the order of their intended send times,
 * each shard's stamps moved onto the earliest shard's clock anchor (with a common {@code
 * --start-at} they already share it), and the summary is aggregated from the merged file as {@code
 * report} would, so every distribution holds every request and throughput spans the union of the
 * shards' windows. The shards are checked to be of one plan; a shard that is missing, was
 * interrupted or was cut off is named, and the merged run is marked partial.
 */
public final class ShardMerge {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /**
   * The settings every shard of one plan has alike: what draws the prompts and the arrival times,
   * where they go and when they start. A shard's own ones ({@code shard}, {@code start_offset_ms})
   * and the machine's ({@code tokenizer}'s path, say) may differ.
   */
  static final List<String> PLAN_KEYS =
      List.of(
          "model_endpoint_base",
          "endpoint_type",
          "model_name",
          "dataset_format",
          "num_prompts",
          "seed",
          "request_rate",
          "trace_time_scale",
          "arrival",
          "burstiness",
          "ramp_up_s",
          "ramp_up_strategy",
          "concurrency",
          "max_concurrency",
          "duration_s",
          "warmup_requests",
          "warmup_s",
          "multi_turn",
          "start_at");

  /** The configuration keys of a shard's own records that a merged run leaves out. */
  private static final List<String> SHARD_KEYS = List.of("shard", "start_offset_ms", "host");

  /**
   * What the merge made.
   *
   * @param problems each missing or failed shard, named with what became of it; empty when whole
   * @param warnings what the reader noticed in the shards' files (a torn last line)
   */
  public record Result(
      Summary summary,
      Path recordsFile,
      Path summaryFile,
      Path htmlFile,
      List<String> problems,
      List<String> warnings) {

    public boolean partial() {
      return !problems.isEmpty();
    }
  }

  /** One shard's records file: its header alone, before its records are read. */
  private record ShardHeader(Path file, Shard shard, RunInfo run) {}

  /** One shard's records file, read: what the merge needs besides its records. */
  private record ShardRun(
      Path file,
      Shard shard,
      RunInfo run,
      RunEnd end,
      long requestCount,
      List<ServerScrape> scrapes) {}

  /**
   * The most records a merge holds in memory at once; past it they are sorted in runs on disk
   * ({@link RecordSort}). About 350 bytes each with short answers (bench/README.md, Footprint).
   */
  static final int IN_MEMORY_RECORDS = 100_000;

  /**
   * The most bytes of records a merge holds at once, by {@link RecordSort#estimatedBytes}: long
   * answers' chunk stamps, and texts kept with {@code --track-input-output}, reach it first.
   */
  static final long IN_MEMORY_BYTES = 64L << 20;

  /** The most sorted runs a merge reads at once: files open together, under common fd limits. */
  static final int MAX_FAN_IN = 256;

  private ShardMerge() {}

  /**
   * Merges the shards found in {@code inputs} into {@code outputDir}: {@code
   * <run-id>-records.jsonl}, {@code -summary.json} and {@code -report.html}.
   *
   * @param inputs shards' records files, or directories holding them (a shard's results directory,
   *     or one whose subdirectories are shards' results directories)
   * @param failedShards shards known to have failed, by index from 0, with why (a launcher knows
   *     its processes' exit codes); empty when only the files can tell
   */
  public static Result merge(List<Path> inputs, Path outputDir, Map<Integer, String> failedShards)
      throws IOException {
    return merge(inputs, outputDir, failedShards, IN_MEMORY_RECORDS);
  }

  /** {@link #merge(List, Path, Map)} holding at most {@code inMemoryRecords} records at once. */
  static Result merge(
      List<Path> inputs, Path outputDir, Map<Integer, String> failedShards, int inMemoryRecords)
      throws IOException {
    List<Path> files = shardFiles(inputs);
    if (files.isEmpty()) {
      throw new InvalidInputException(
          "no shard's records file in "
              + inputs
              + ": pass the results directories (or *-records.jsonl files) of runs made with"
              + " --shard I/N");
    }
    // The headers first: the shards are checked to be of one plan, and their clocks lined up,
    // before any record is read.
    Map<Integer, ShardHeader> headers = new TreeMap<>();
    int count = -1;
    ShardHeader first = null;
    for (Path file : files) {
      ShardHeader shard = header(file);
      if (count < 0) {
        count = shard.shard().count();
        first = shard;
      } else if (shard.shard().count() != count) {
        throw new InvalidInputException(
            "shard "
                + shard.shard().label()
                + " ("
                + file
                + ") is not of the "
                + count
                + " shards of "
                + first.shard().label()
                + ": shards of one plan share N; merge the shards of one run only");
      }
      checkSamePlan(first, shard);
      ShardHeader twin = headers.putIfAbsent(shard.shard().index(), shard);
      if (twin != null) {
        throw new InvalidInputException(
            "shard "
                + shard.shard().label()
                + " twice: "
                + twin.file()
                + " and "
                + file
                + "; pass each shard's records once");
      }
    }
    Instant startedAt =
        headers.values().stream()
            .map(h -> h.run().startedAt())
            .min(Instant::compareTo)
            .orElseThrow();

    byte[] spillId = new byte[4];
    ThreadLocalRandom.current().nextBytes(spillId);
    try (RecordSort sort =
        new RecordSort(
            outputDir.resolve(".merge-" + HexFormat.of().formatHex(spillId)),
            inMemoryRecords,
            IN_MEMORY_BYTES,
            MAX_FAN_IN)) {
      List<String> warnings = new ArrayList<>();
      Map<Integer, ShardRun> shards = new TreeMap<>();
      ConcurrencyPeak inFlight = new ConcurrencyPeak();
      for (ShardHeader header : headers.values()) {
        // Each shard's stamps moved onto the earliest shard's clock anchor (with a common
        // --start-at they already share it).
        long shiftNanos = Duration.between(startedAt, header.run().startedAt()).toNanos();
        shards.put(header.shard().index(), read(header, shiftNanos, sort, inFlight, warnings));
      }
      int peakInFlight = (int) inFlight.peak();
      inFlight = null; // its 16 bytes a request are not kept while the summary makes its own
      List<String> problems = problems(shards, count, failedShards);

      RunInfo merged = mergedRun(shards.values(), count, problems);
      Files.createDirectories(outputDir);
      Path recordsFile = outputDir.resolve(merged.runId() + "-records.jsonl");
      try (RecordWriter writer = RecordWriter.create(recordsFile, merged)) {
        // Every shard scrapes the same server (under --processes only shard 1 does): the lowest
        // shard's scrapes stand for the server's, moved onto the merged clock as its records are.
        for (ShardRun shard : shards.values()) {
          if (shard.scrapes().isEmpty()) {
            continue;
          }
          long shiftNanos = Duration.between(merged.startedAt(), shard.run().startedAt()).toNanos();
          for (ServerScrape scrape : shard.scrapes()) {
            writer.write(
                new ServerScrape(
                    scrape.atNanos() + shiftNanos,
                    scrape.tookNanos(),
                    scrape.exposition(),
                    scrape.error()));
          }
          break;
        }
        sort.drainInOrder(writer::write);
        RunEnd end = mergedEnd(shards.values());
        if (end != null) {
          writer.writeEnd(withPeakInFlight(end, peakInFlight));
        }
      }
      RecordsSummary.Result summary = RecordsSummary.read(recordsFile, null, null);
      Path summaryFile = outputDir.resolve(merged.runId() + "-summary.json");
      SummaryJson.writeAtomically(summary.summary(), summaryFile);
      Path htmlFile = outputDir.resolve(merged.runId() + "-report.html");
      HtmlReport.write(summary.summary(), htmlFile);
      return new Result(
          summary.summary(), recordsFile, summaryFile, htmlFile, List.copyOf(problems), warnings);
    }
  }

  /** Each missing, failed, cut-off or interrupted shard, named with what became of it. */
  private static List<String> problems(
      Map<Integer, ShardRun> shards, int count, Map<Integer, String> failedShards) {
    List<String> problems = new ArrayList<>();
    for (int index = 0; index < count; index++) {
      String label = new Shard(index, count).label();
      ShardRun shard = shards.get(index);
      String known = failedShards.get(index);
      if (shard == null) {
        problems.add(
            "shard " + label + ": " + (known != null ? known : "no records file among the inputs"));
      } else if (known != null) {
        problems.add("shard " + label + ": " + known);
      } else if (shard.end() == null) {
        problems.add(
            "shard "
                + label
                + ": its records file "
                + shard.file()
                + " has no closing line (cut off)");
      } else if (shard.end().interrupted()) {
        problems.add("shard " + label + ": interrupted before its plan was done");
      }
    }
    return problems;
  }

  /**
   * The records files among {@code inputs}: a file as it is; in a directory, the shards' records
   * files in it, else those in its subdirectories (a {@code --processes} run's shard directories).
   */
  static List<Path> shardFiles(List<Path> inputs) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path input : inputs) {
      if (Files.isRegularFile(input)) {
        files.add(input);
      } else if (Files.isDirectory(input)) {
        List<Path> here = recordsFilesIn(input);
        here.removeIf(file -> !isShard(file));
        if (here.isEmpty()) {
          try (Stream<Path> children = Files.list(input)) {
            for (Path child : children.filter(Files::isDirectory).sorted().toList()) {
              List<Path> below = recordsFilesIn(child);
              below.removeIf(file -> !isShard(file));
              here.addAll(below);
            }
          }
        }
        files.addAll(here);
      } else {
        throw new InvalidInputException(
            input + " does not exist: pass shards' results directories or records files");
      }
    }
    return files;
  }

  private static List<Path> recordsFilesIn(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return new ArrayList<>(
          entries
              .filter(Files::isRegularFile)
              .filter(file -> file.getFileName().toString().endsWith("-records.jsonl"))
              .sorted()
              .toList());
    }
  }

  /** Whether a records file's header names a shard (read from its first line alone). */
  private static boolean isShard(Path file) {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = reader.readLine();
      return header != null
          && MAPPER.readTree(header).path("configuration").path("shard").isTextual();
    } catch (IOException unreadable) {
      return false; // the merge names it when it is passed as a file of its own
    }
  }

  /** A shard's header, checked to name a shard. */
  private static ShardHeader header(Path file) {
    RunInfo run = RecordReader.readHeader(file);
    if (!(run.configuration().get("shard") instanceof String label)) {
      throw new InvalidInputException(
          file
              + " is not a shard's records file (its run had no --shard I/N): merge combines the"
              + " shards of one plan; 'servebench report' reports a whole run");
    }
    try {
      return new ShardHeader(file, Shard.parse(label), run);
    } catch (InvalidInputException damaged) {
      throw new InvalidInputException(
          file + ": its header's shard '" + label + "' is not I/N; was the file edited?");
    }
  }

  /**
   * Reads a shard's records into {@code sort} and their intervals into {@code inFlight}, each moved
   * {@code shiftNanos} later; keeps its closing line and scrapes.
   */
  private static ShardRun read(
      ShardHeader header,
      long shiftNanos,
      RecordSort sort,
      ConcurrencyPeak inFlight,
      List<String> warnings)
      throws IOException {
    List<ServerScrape> scrapes = new ArrayList<>();
    RecordReader.Result result;
    try {
      result =
          RecordReader.read(
              header.file(),
              run -> {},
              record -> {
                RequestRecord moved = shifted(record, shiftNanos);
                long sent = moved.stamps().sentNanos();
                if (sent != RequestRecord.ABSENT) {
                  long end = moved.stamps().endNanos();
                  // A record with no end (cut off) is in flight to the last instant.
                  inFlight.add(sent, end == RequestRecord.ABSENT ? Long.MAX_VALUE : end);
                }
                try {
                  sort.add(moved);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              scrapes::add);
    } catch (UncheckedIOException spillFailed) {
      throw spillFailed.getCause();
    }
    for (String warning : result.warnings()) {
      warnings.add(header.file() + ": " + warning);
    }
    return new ShardRun(
        header.file(), header.shard(), result.run(), result.end(), result.requestCount(), scrapes);
  }

  /** Refuses a shard whose plan settings differ from the first one's, naming the setting. */
  private static void checkSamePlan(ShardHeader first, ShardHeader shard) {
    for (String key : PLAN_KEYS) {
      Object expected = first.run().configuration().get(key);
      Object found = shard.run().configuration().get(key);
      if (!Objects.equals(expected, found)) {
        throw new InvalidInputException(
            "shards of different plans: "
                + key
                + " is "
                + expected
                + " in "
                + first.file()
                + " but "
                + found
                + " in "
                + shard.file()
                + "; merge the shards of one run, each started with the same flags but --shard");
      }
    }
  }

  /**
   * The merged run's header: the first shard's settings without its own ones, started at the
   * earliest shard's start, at the sum of the shards' rates, with the shards and what went wrong
   * named.
   */
  private static RunInfo mergedRun(Iterable<ShardRun> shards, int count, List<String> problems) {
    ShardRun first = null;
    double ratePerSecond = 0;
    List<Map<String, Object>> described = new ArrayList<>();
    for (ShardRun shard : shards) {
      if (first == null) {
        first = shard; // the lowest index: its settings stand for the plan's
      }
      ratePerSecond += shard.run().configuredRatePerSecond();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("shard", shard.shard().label());
      entry.put("run_id", shard.run().runId());
      entry.put("started_at", shard.run().startedAt().toString());
      entry.put("start_offset_ms", shard.run().configuration().get("start_offset_ms"));
      if (shard.run().configuration().get("host") != null) {
        entry.put("host", shard.run().configuration().get("host"));
      }
      entry.put("records", shard.file().toString());
      entry.put("requests", shard.requestCount());
      described.add(entry);
    }
    Instant startedAt = first.run().startedAt();
    for (ShardRun shard : shards) {
      if (shard.run().startedAt().isBefore(startedAt)) {
        startedAt = shard.run().startedAt();
      }
    }
    Map<String, Object> configuration = new LinkedHashMap<>(first.run().configuration());
    SHARD_KEYS.forEach(configuration::remove);
    configuration.put("merged_shards", count);
    configuration.put("shards", described);
    configuration.put("partial", !problems.isEmpty());
    configuration.put("missing_shards", List.copyOf(problems));
    byte[] random = new byte[3];
    ThreadLocalRandom.current().nextBytes(random);
    return new RunInfo(
        "servebench-"
            + RUN_ID_TIME.format(startedAt)
            + "-"
            + HexFormat.of().formatHex(random)
            + "-merged",
        Version.current(),
        startedAt,
        ratePerSecond,
        configuration,
        first.run().client());
  }

  /**
   * The shards' closing lines as one: counts and CPU added, the longest wall time, the caps added
   * (what the shards had between them), the cores added across distinct machines only (shards on
   * one machine share its cores; a shard that names no host counts as a machine of its own), the
   * in-flight peaks added (an upper bound, which the merged records' own peak replaces); {@code
   * null} when no shard has one. Interrupted when any shard was.
   */
  private static RunEnd mergedEnd(Iterable<ShardRun> shards) {
    RunEnd merged = null;
    Map<String, Integer> coresByHost = new LinkedHashMap<>();
    for (ShardRun shard : shards) {
      RunEnd end = shard.end();
      if (end == null) {
        continue;
      }
      Object host = shard.run().configuration().get("host");
      coresByHost.merge(
          host instanceof String name ? "host:" + name : "file:" + shard.file(),
          end.availableProcessors(),
          Math::max);
      if (merged == null) {
        merged = end;
        continue;
      }
      merged =
          new RunEnd(
              merged.interrupted() || end.interrupted(),
              merged.plannedRequests() < 0 || end.plannedRequests() < 0
                  ? -1
                  : merged.plannedRequests() + end.plannedRequests(),
              merged.sentRequests() + end.sentRequests(),
              merged.peakInFlight() + end.peakInFlight(),
              merged.clientCpuNanos() < 0 || end.clientCpuNanos() < 0
                  ? -1
                  : merged.clientCpuNanos() + end.clientCpuNanos(),
              Math.max(merged.runWallNanos(), end.runWallNanos()),
              merged.availableProcessors(),
              merged.maxConcurrency() + end.maxConcurrency(),
              merged.ioThreadsCpuWaitNanos() < 0 || end.ioThreadsCpuWaitNanos() < 0
                  ? -1
                  : merged.ioThreadsCpuWaitNanos() + end.ioThreadsCpuWaitNanos(),
              merged.connectionsOpenedAhead() < 0 || end.connectionsOpenedAhead() < 0
                  ? -1
                  : merged.connectionsOpenedAhead() + end.connectionsOpenedAhead());
    }
    if (merged == null) {
      return null;
    }
    int cores = coresByHost.values().stream().mapToInt(Integer::intValue).sum();
    return new RunEnd(
        merged.interrupted(),
        merged.plannedRequests(),
        merged.sentRequests(),
        merged.peakInFlight(),
        merged.clientCpuNanos(),
        merged.runWallNanos(),
        cores,
        merged.maxConcurrency(),
        merged.ioThreadsCpuWaitNanos(),
        merged.connectionsOpenedAhead());
  }

  private static RunEnd withPeakInFlight(RunEnd end, int peak) {
    return new RunEnd(
        end.interrupted(),
        end.plannedRequests(),
        end.sentRequests(),
        peak,
        end.clientCpuNanos(),
        end.runWallNanos(),
        end.availableProcessors(),
        end.maxConcurrency(),
        end.ioThreadsCpuWaitNanos(),
        end.connectionsOpenedAhead());
  }

  /**
   * {@code record} with every stamp moved later by {@code shiftNanos} (absent ones stay absent).
   */
  static RequestRecord shifted(RequestRecord record, long shiftNanos) {
    if (shiftNanos == 0) {
      return record;
    }
    RequestRecord.Stamps stamps = record.stamps();
    long[] chunks = record.chunks().nanos().clone();
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = shift(chunks[i], shiftNanos);
    }
    return new RequestRecord(
        record.index(),
        record.warmup(),
        record.outcome(),
        new RequestRecord.Stamps(
            shift(stamps.intendedNanos(), shiftNanos),
            shift(stamps.sentNanos(), shiftNanos),
            shift(stamps.firstSentNanos(), shiftNanos),
            shift(stamps.headersNanos(), shiftNanos),
            shift(stamps.firstTokenNanos(), shiftNanos),
            shift(stamps.lastTokenNanos(), shiftNanos),
            shift(stamps.endNanos(), shiftNanos),
            shift(stamps.firstContentNanos(), shiftNanos)),
        record.streamed(),
        new RequestRecord.Chunks(chunks, record.chunks().tokens(), record.chunks().tokensSource()),
        record.tokens(),
        record.texts(),
        record.turn());
  }

  private static long shift(long nanos, long shiftNanos) {
    return nanos == RequestRecord.ABSENT ? nanos : nanos + shiftNanos;
  }
}
