package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * The request traces (Mooncake, Azure, BurstGPT): each row is a request that arrived at a time,
 * with a prompt length and an output length. A run uses the first {@code numPrompts} usable rows,
 * in the file's order, read one at a time so that a trace of millions of rows costs only the rows
 * used; the prompt text is generated to each row's exact length ({@link SyntheticText}).
 *
 * <p>The rows' times are read by {@link #offsetsNanos}, separately from the prompts (which the
 * prompt cache may hold already): nanoseconds after the first row's time, in the trace's own time.
 * Rows must be in time order; a row earlier than the one before it is an error rather than being
 * sorted, since the rows used are the first ones of the file.
 *
 * <p>A row with 0 input or 0 output tokens is skipped (BurstGPT marks the requests that failed in
 * its trace with 0 response tokens): no request can ask for 0 tokens.
 *
 * <p>Mooncake rows also list {@code hash_ids}, one per block of {@code traceBlockTokens} tokens of
 * the prompt; rows that share a hash id at the same place share that block of prompt text. Each
 * block is made once, seeded by its hash id, as text of exactly one block's tokens, and a prompt is
 * its blocks' texts joined: a prompt's shared blocks are identical text, so a server's prefix cache
 * sees what the trace's did. The last block (often part of one) is generated where it stands, to
 * the length that makes the whole prompt exactly {@code input_length} tokens; should the joined
 * blocks alone tokenize to that length or more (joins can merge tokens), the last blocks are
 * generated anew instead.
 */
final class TraceDataset {

  /**
   * One usable row.
   *
   * @param line the row's line in the file, for messages
   * @param timestampNanos its arrival time in nanoseconds on the trace's own clock
   * @param hashIds Mooncake's prefix block hashes; empty for the other traces
   */
  record Row(long line, long timestampNanos, int inputTokens, int outputTokens, long[] hashIds) {}

  /** A trace file's rows, one at a time. */
  interface Rows extends Closeable {

    /**
     * The next row, whether usable or not, or {@code null} at the end of the file.
     *
     * @throws InvalidInputException naming the file and line when the row is malformed
     */
    Row next() throws IOException;
  }

  /** Mixed into the seed of a row's text when the row lists no hash ids. */
  private static final long ROW_SEED_SALT = 0x5DEECE66DL;

  private TraceDataset() {}

  static List<Prompt> load(DatasetFormat format, DatasetOptions options, Tokenizer tokenizer) {
    List<Row> rows = read(format, options);
    Path file = options.dataset();
    double totalTokens = rows.stream().mapToDouble(Row::inputTokens).sum();
    SyntheticText.checkFitsInHeap(
        "the " + rows.size() + " prompts of trace " + file,
        rows.size(),
        totalTokens / rows.size(),
        "--num-prompts",
        Runtime.getRuntime().maxMemory());
    SyntheticText text = SyntheticText.of(tokenizer);
    Map<Long, String> blocks = blockTexts(rows, text, options);
    return IntStream.range(0, rows.size())
        .parallel()
        .mapToObj(i -> prompt(rows.get(i), i, text, blocks, options))
        .toList();
  }

  /** The first rows' arrival times, in nanoseconds after the first row's, unscaled. */
  static long[] offsetsNanos(DatasetFormat format, DatasetOptions options) {
    List<Row> rows = read(format, options);
    long firstNanos = rows.get(0).timestampNanos();
    return rows.stream().mapToLong(row -> row.timestampNanos() - firstNanos).toArray();
  }

  /** That the file can be read and the block size is sensible; the rows are checked as read. */
  static Path check(DatasetFormat format, DatasetOptions options) {
    Path file = DatasetFiles.requireReadableFile(options.dataset(), format);
    if (format == DatasetFormat.MOONCAKE && options.traceBlockTokens() < 1) {
      throw new InvalidInputException(
          "--trace-block-tokens must be at least 1, got " + options.traceBlockTokens());
    }
    return file;
  }

  /** The first {@code numPrompts} usable rows, checked to be in time order. */
  static List<Row> read(DatasetFormat format, DatasetOptions options) {
    Path file = check(format, options);
    List<Row> rows = new ArrayList<>();
    long skipped = 0;
    long read = 0;
    Row previous = null;
    try (Rows reader = open(format, file)) {
      while (rows.size() < options.numPrompts()) {
        Row row = reader.next();
        if (row == null) {
          break;
        }
        read++;
        if (previous != null && row.timestampNanos() < previous.timestampNanos()) {
          throw bad(
              file,
              row.line(),
              "comes before line "
                  + previous.line()
                  + " in time: a trace must be in time order; sort the file by its timestamps");
        }
        if ((double) row.inputTokens() > SyntheticDataset.MAX_LENGTH_TOKENS) {
          throw bad(
              file,
              row.line(),
              String.format(
                  Locale.ROOT,
                  "asks for a prompt of %d tokens, past %.0f, longer than any model's context:"
                      + " remove the row",
                  row.inputTokens(),
                  SyntheticDataset.MAX_LENGTH_TOKENS));
        }
        previous = row;
        if (row.inputTokens() == 0 || row.outputTokens() == 0) {
          skipped++;
        } else {
          rows.add(row);
        }
      }
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " is not UTF-8 text (is it a binary or compressed file?): pass "
              + DatasetFiles.shape(format)
              + " saved as UTF-8",
          e);
    } catch (IOException e) {
      throw DatasetFiles.unreadable(file, e);
    }
    if (rows.size() < options.numPrompts()) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " has "
              + rows.size()
              + " usable rows but --num-prompts asks for "
              + options.numPrompts()
              + (skipped == 0
                  ? ""
                  : " (of " + read + " rows, " + skipped + " ask for 0 input or output tokens)")
              + ": lower --num-prompts to "
              + rows.size()
              + " or fewer"
              + (rows.isEmpty() ? ", or pass " + DatasetFiles.shape(format) : ""));
    }
    return rows;
  }

  private static Rows open(DatasetFormat format, Path file) throws IOException {
    return switch (format) {
      case MOONCAKE -> MooncakeTrace.open(file);
      case AZURE -> TraceCsv.azure(file);
      case BURSTGPT -> TraceCsv.burstGpt(file);
      default -> throw new IllegalArgumentException(format + " is not a trace");
    };
  }

  /** The text of every hash id that some row uses as a whole block, made once each. */
  private static Map<Long, String> blockTexts(
      List<Row> rows, SyntheticText text, DatasetOptions options) {
    int blockTokens = options.traceBlockTokens();
    return rows.stream()
        .filter(row -> row.hashIds().length > 0)
        .flatMapToLong(row -> LongStream.of(row.hashIds()).limit(row.inputTokens() / blockTokens))
        .distinct()
        .boxed()
        .parallel()
        .collect(
            Collectors.toConcurrentMap(
                hashId -> hashId,
                hashId ->
                    text.ofLength(
                        blockTokens,
                        new Random(SyntheticText.seedFor(options.seed(), 2 * hashId)))));
  }

  /** Row {@code index}'s prompt: its whole shared blocks, then the rest made to measure. */
  private static Prompt prompt(
      Row row, int index, SyntheticText text, Map<Long, String> blocks, DatasetOptions options) {
    int blockTokens = options.traceBlockTokens();
    long[] hashIds = row.hashIds();
    // The blocks the row's length reaches into; the last of them is made where it stands.
    int covered =
        hashIds.length == 0
            ? 0
            : (int) Math.min(hashIds.length, ceilDiv(row.inputTokens(), blockTokens));
    Tokenizer tokenizer = text.tokenizer();
    for (int wholeBlocks = covered - 1; wholeBlocks >= 0; wholeBlocks--) {
      String context =
          Arrays.stream(hashIds, 0, wholeBlocks)
              .mapToObj(blocks::get)
              .collect(Collectors.joining());
      int contextTokens = wholeBlocks == 0 ? 0 : tokenizer.countTokens(context);
      int restTokens = row.inputTokens() - contextTokens;
      if (restTokens < 1) {
        continue; // the joins merged upwards: one block fewer stays shared
      }
      long lastHashId = hashIds[wholeBlocks];
      String whole = blocks.get(lastHashId);
      if (restTokens == blockTokens
          && whole != null
          && tokenizer.countTokens(context + whole) == row.inputTokens()) {
        return new Prompt(context + whole, row.inputTokens(), row.outputTokens());
      }
      long restSeed =
          SyntheticText.seedFor(
              SyntheticText.seedFor(options.seed(), 2 * lastHashId + 1), restTokens);
      String rest = text.after(context, contextTokens, restTokens, restSeed);
      return new Prompt(context + rest, row.inputTokens(), row.outputTokens());
    }
    long rowSeed = SyntheticText.seedFor(options.seed() ^ ROW_SEED_SALT, index);
    return new Prompt(
        text.ofLength(row.inputTokens(), new Random(rowSeed)),
        row.inputTokens(),
        row.outputTokens());
  }

  private static long ceilDiv(long dividend, long divisor) {
    return -Math.floorDiv(-dividend, divisor);
  }

  /** A malformed or unusable row: names the file and the line, and what to do. */
  static InvalidInputException bad(Path file, long line, String problem) {
    return new InvalidInputException("dataset " + file + ", line " + line + " " + problem);
  }
}
