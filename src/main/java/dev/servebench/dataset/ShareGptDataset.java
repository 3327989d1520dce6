package dev.servebench.dataset;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.ContentReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prompts from a ShareGPT file, as the original benchmark chose them: of every conversation whose
 * first turn is from "human" and second from "gpt", the first turn is the prompt and the second
 * one's length is the output length to ask for. Pairs outside the {@link LengthBound}s are dropped;
 * {@code numPrompts} of the rest are sampled without replacement with the seed.
 *
 * <p>The real file is 670 MB and a run needs a few hundred of its 94,000 conversations, so the file
 * is read once to find where each record lies (without building its text), the records are visited
 * in an order shuffled with the seed, and each visited record is parsed and tokenized until {@code
 * numPrompts} have passed the bounds: the first {@code numPrompts} passing records of a seeded
 * random permutation, which is a uniform sample without replacement of all passing records. Only
 * the visited records are ever tokenized, and only the chosen prompts stay in memory. Records that
 * are well-formed but unusable (one turn, a conversation started by "gpt", empty text) are skipped
 * and counted; a malformed one stops the load, when it is visited, with a message naming the record
 * and the field.
 */
final class ShareGptDataset {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Most records parsed and tokenized together, in parallel. */
  private static final int BATCH_SIZE = 1024;

  /** Fewest records of a batch: a handful of prompts still keeps every core busy. */
  private static final int MIN_BATCH_SIZE = 64;

  /** What a well-formed record gives: a conversation or the reason it gives none. */
  private sealed interface Parsed permits Conversation, SkipReason {}

  /** Why a well-formed record gives no prompt. */
  enum SkipReason implements Parsed {
    FEWER_THAN_TWO_TURNS("with fewer than 2 turns"),
    FIRST_TURN_NOT_HUMAN("whose first turn is not from \"human\""),
    SECOND_TURN_NOT_GPT("whose second turn is not from \"gpt\""),
    EMPTY_TEXT("with an empty prompt or completion");

    private final String description;

    SkipReason(String description) {
      this.description = description;
    }
  }

  /**
   * @param later the user and assistant texts of the turns after the first, alternating, kept only
   *     for sessions
   */
  private record Conversation(String prompt, String completion, List<String> later)
      implements Parsed {}

  private record Measured(
      String prompt, int promptTokens, int outputTokens, List<Prompt> laterTurns) {}

  /** What happened to every record visited; {@code usable} holds the chosen prompts, in order. */
  static final class Tally {
    int recordsRead;
    final Map<SkipReason, Integer> skipped = new EnumMap<>(SkipReason.class);
    final Map<LengthBound, Integer> dropped = new EnumMap<>(LengthBound.class);
    final List<Prompt> usable = new ArrayList<>();

    /** With {@code maxTurns} above 0: the session each prompt in {@link #usable} starts. */
    final List<Session> sessions = new ArrayList<>();
  }

  private ShareGptDataset() {}

  static List<Prompt> load(DatasetOptions options, Tokenizer tokenizer) {
    Path file = DatasetFiles.requireReadableFile(options.dataset(), DatasetFormat.SHAREGPT);
    LengthBound.checkConsistent(options);
    Tally tally = select(file, options, tokenizer, options.numPrompts(), 0);
    check(file, tally, options);
    return List.copyOf(tally.usable);
  }

  /**
   * The conversations the single-turn load would choose (the length bounds apply to their first
   * turn), each with its further turns up to {@code maxTurns} in all. A conversation's turns end at
   * the first that is not a "human" text followed by a "gpt" one, or at {@code maxTurns}; each turn
   * asks for as many tokens as the dataset's answer to it has (at least 1).
   */
  static List<Session> loadSessions(DatasetOptions options, Tokenizer tokenizer, int maxTurns) {
    Path file = DatasetFiles.requireReadableFile(options.dataset(), DatasetFormat.SHAREGPT);
    LengthBound.checkConsistent(options);
    Tally tally = select(file, options, tokenizer, options.numPrompts(), Math.max(1, maxTurns));
    check(file, tally, options);
    return List.copyOf(tally.sessions);
  }

  private static void check(Path file, Tally tally, DatasetOptions options) {
    if (tally.recordsRead == 0) {
      throw new InvalidInputException(
          "dataset "
              + file
              + " holds no records: pass "
              + DatasetFiles.shape(DatasetFormat.SHAREGPT));
    }
    if (tally.usable.size() < options.numPrompts()) {
      throw tooFew(file, tally, options);
    }
  }

  /**
   * Visits the records of {@code file} in the seed's order until {@code wanted} of them pass the
   * bounds, or all were visited; {@code recordsRead} counts every record in the file.
   *
   * @param maxTurns 0 for prompts only; above 0, {@link Tally#sessions} gets each prompt's session
   *     of at most this many turns
   */
  static Tally select(
      Path file, DatasetOptions options, Tokenizer tokenizer, int wanted, int maxTurns) {
    RecordIndex index = RecordIndex.of(file);
    Tally tally = new Tally();
    tally.recordsRead = index.count();
    Sampling.Permutation order = new Sampling.Permutation(index.count(), options.seed());
    List<Conversation> batch = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (tally.usable.size() < wanted && order.hasNext()) {
        int size =
            Math.min(BATCH_SIZE, Math.max(MIN_BATCH_SIZE, 2 * (wanted - tally.usable.size())));
        for (int i = 0; i < size && order.hasNext(); i++) {
          int record = order.next();
          switch (parse(
              file, record, index.location(record), index.read(channel, record), maxTurns)) {
            case SkipReason reason -> tally.skipped.merge(reason, 1, Integer::sum);
            case Conversation conversation -> batch.add(conversation);
          }
        }
        measureAndFilter(batch, tokenizer, options, tally, wanted, maxTurns);
      }
    } catch (JsonProcessingException e) {
      throw DatasetFiles.notJson(file, e, DatasetFormat.SHAREGPT);
    } catch (IOException e) {
      throw DatasetFiles.unreadable(file, e);
    }
    return tally;
  }

  /**
   * Where each record of a ShareGPT file lies: its bytes and the line and column it starts at,
   * found by one pass of the JSON tokenizer that checks the file's syntax without building any
   * record's text.
   */
  private static final class RecordIndex {
    private long[] starts = new long[1024];
    private long[] ends = new long[1024];
    private int[] lines = new int[1024];
    private int[] columns = new int[1024];
    private int count;

    static RecordIndex of(Path file) {
      RecordIndex index = new RecordIndex();
      try (JsonParser parser = JSON.createParser(file.toFile())) {
        if (parser.nextToken() != JsonToken.START_ARRAY) {
          throw new InvalidInputException(
              "dataset "
                  + file
                  + " does not start with a JSON array: pass "
                  + DatasetFiles.shape(DatasetFormat.SHAREGPT));
        }
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          JsonLocation start = parser.currentTokenLocation();
          if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw malformed(file, index.count, start, null, "is not a JSON object");
          }
          parser.skipChildren();
          index.add(
              start.getByteOffset(),
              parser.currentTokenLocation().getByteOffset() + 1,
              start.getLineNr(),
              start.getColumnNr());
        }
      } catch (JsonProcessingException e) {
        throw DatasetFiles.notJson(file, e, DatasetFormat.SHAREGPT);
      } catch (IOException e) {
        throw DatasetFiles.unreadable(file, e);
      }
      return index;
    }

    private void add(long start, long end, int line, int column) {
      if (count == starts.length) {
        int grown = count * 2;
        starts = Arrays.copyOf(starts, grown);
        ends = Arrays.copyOf(ends, grown);
        lines = Arrays.copyOf(lines, grown);
        columns = Arrays.copyOf(columns, grown);
      }
      starts[count] = start;
      ends[count] = end;
      lines[count] = line;
      columns[count] = column;
      count++;
    }

    int count() {
      return count;
    }

    JsonLocation location(int record) {
      return new JsonLocation(
          ContentReference.unknown(), starts[record], -1L, lines[record], columns[record]);
    }

    /** The record's JSON object, parsed. */
    JsonNode read(FileChannel channel, int record) throws IOException {
      long length = ends[record] - starts[record];
      if (length > Integer.MAX_VALUE - 8) {
        throw new IOException("record [" + record + "] is " + length + " bytes long");
      }
      ByteBuffer bytes = ByteBuffer.allocate((int) length);
      while (bytes.hasRemaining()) {
        if (channel.read(bytes, starts[record] + bytes.position()) < 0) {
          throw new IOException("the file ended inside record [" + record + "]");
        }
      }
      return JSON.readTree(bytes.array());
    }
  }

  private static Parsed parse(
      Path file, int index, JsonLocation start, JsonNode record, int maxTurns) {
    JsonNode turns = record.get("conversations");
    if (turns == null || !turns.isArray()) {
      throw malformed(file, index, start, record, "has no \"conversations\" array");
    }
    if (turns.size() < 2) {
      return SkipReason.FEWER_THAN_TWO_TURNS;
    }
    String[] values = new String[2];
    for (int turn = 0; turn < 2; turn++) {
      if (!turns.get(turn).isObject()) {
        throw malformed(
            file, index, start, record, "field conversations[" + turn + "] is not an object");
      }
      JsonNode value = turns.get(turn).get("value");
      if (value == null || !value.isTextual()) {
        throw malformed(
            file,
            index,
            start,
            record,
            "field conversations[" + turn + "].value is missing or not a string");
      }
      values[turn] = value.textValue();
    }
    if (!"human".equals(turns.get(0).path("from").asText())) {
      return SkipReason.FIRST_TURN_NOT_HUMAN;
    }
    if (!"gpt".equals(turns.get(1).path("from").asText())) {
      return SkipReason.SECOND_TURN_NOT_GPT;
    }
    if (values[0].isBlank() || values[1].isBlank()) {
      return SkipReason.EMPTY_TEXT;
    }
    return new Conversation(values[0], values[1], laterTurns(turns, maxTurns));
  }

  /**
   * The texts of the turns after the first pair, user and assistant alternating, up to {@code
   * maxTurns} pairs in all: they end at the first pair that is not a non-blank "human" text
   * followed by a non-blank "gpt" one, as a session cannot replay it.
   */
  private static List<String> laterTurns(JsonNode turns, int maxTurns) {
    List<String> later = new ArrayList<>();
    for (int turn = 2; turn + 1 < turns.size() && later.size() / 2 + 1 < maxTurns; turn += 2) {
      JsonNode user = turns.get(turn);
      JsonNode answer = turns.get(turn + 1);
      if (!"human".equals(user.path("from").asText())
          || !"gpt".equals(answer.path("from").asText())
          || !user.path("value").isTextual()
          || !answer.path("value").isTextual()
          || user.path("value").textValue().isBlank()
          || answer.path("value").textValue().isBlank()) {
        break;
      }
      later.add(user.path("value").textValue());
      later.add(answer.path("value").textValue());
    }
    return later;
  }

  /**
   * Tokenizes the batch in parallel, then takes its prompts in order until {@code wanted} passed:
   * the outcome does not depend on which thread finished first.
   */
  private static void measureAndFilter(
      List<Conversation> batch,
      Tokenizer tokenizer,
      DatasetOptions options,
      Tally tally,
      int wanted,
      int maxTurns) {
    List<Measured> measured =
        batch.parallelStream()
            .map(
                c ->
                    new Measured(
                        c.prompt(),
                        tokenizer.countTokens(c.prompt()),
                        tokenizer.countTokens(c.completion()),
                        laterPrompts(c.later(), tokenizer)))
            .toList();
    batch.clear();
    for (Measured m : measured) {
      if (tally.usable.size() >= wanted) {
        return;
      }
      LengthBound rejecting =
          LengthBound.firstRejecting(m.promptTokens(), m.outputTokens(), options);
      if (rejecting == null) {
        Prompt first = new Prompt(m.prompt(), m.promptTokens(), m.outputTokens());
        tally.usable.add(first);
        if (maxTurns > 0) {
          List<Prompt> turns = new ArrayList<>(1 + m.laterTurns().size());
          turns.add(first);
          turns.addAll(m.laterTurns());
          tally.sessions.add(new Session(turns));
        }
      } else {
        tally.dropped.merge(rejecting, 1, Integer::sum);
      }
    }
  }

  /** Each later user turn as a prompt asking for its answer's length in tokens (at least 1). */
  private static List<Prompt> laterPrompts(List<String> later, Tokenizer tokenizer) {
    List<Prompt> prompts = new ArrayList<>(later.size() / 2);
    for (int i = 0; i + 1 < later.size(); i += 2) {
      String text = later.get(i);
      prompts.add(
          new Prompt(
              text,
              tokenizer.countTokens(text),
              Math.max(1, tokenizer.countTokens(later.get(i + 1)))));
    }
    return prompts;
  }

  private static InvalidInputException malformed(
      Path file, int index, JsonLocation start, JsonNode record, String problem) {
    JsonNode id = record == null ? null : record.get("id");
    String which =
        "record ["
            + index
            + "]"
            + (id != null && id.isTextual() ? " (id \"" + id.textValue() + "\")" : "");
    return new InvalidInputException(
        "dataset "
            + file
            + ", "
            + which
            + " at "
            + DatasetFiles.location(start)
            + " "
            + problem
            + ": every record must be {\"conversations\": [{\"from\": \"human\", \"value\":"
            + " \"...\"}, {\"from\": \"gpt\", \"value\": \"...\"}, ...]}; fix or remove the"
            + " record");
  }

  private static InvalidInputException tooFew(Path file, Tally tally, DatasetOptions options) {
    StringJoiner fates = new StringJoiner(", ");
    tally.skipped.forEach((reason, count) -> fates.add(count + " skipped " + reason.description));
    tally.dropped.forEach((bound, count) -> fates.add(count + " " + bound.describe(options)));
    StringJoiner flags = new StringJoiner(", ");
    tally.dropped.keySet().forEach(bound -> flags.add(bound.flag()));
    int usable = tally.usable.size();
    String lower = "lower --num-prompts to " + usable + " or fewer";
    return new InvalidInputException(
        "dataset "
            + file
            + " has "
            + usable
            + " usable prompts but --num-prompts asks for "
            + options.numPrompts()
            + ": of "
            + tally.recordsRead
            + " records read, "
            + (fates.length() == 0 ? "" : fates + ", ")
            + usable
            + " remain; "
            + (flags.length() == 0 ? lower : "relax " + flags + " or " + lower));
  }
}
