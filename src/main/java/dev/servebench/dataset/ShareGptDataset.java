package dev.servebench.dataset;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prompts from a ShareGPT file, as the original benchmark chose them: of every conversation whose
 * first turn is from "human" and second from "gpt", the first turn is the prompt and the second
 * one's length is the output length to ask for. Pairs outside the {@link LengthBound}s are dropped,
 * then {@code numPrompts} of the rest are sampled without replacement with the seed.
 *
 * <p>The real file is 670 MB, so records are streamed one at a time and tokenized in parallel
 * batches; only the prompts that pass the bounds stay in memory. Records that are well-formed but
 * unusable (one turn, a conversation started by "gpt", empty text) are skipped and counted;
 * malformed ones stop the load with a message naming the record and the field.
 */
final class ShareGptDataset {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Records tokenized together; large enough to keep every core busy, small enough to stream. */
  private static final int BATCH_SIZE = 1024;

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

  private record Conversation(String prompt, String completion) implements Parsed {}

  private record Measured(String prompt, int promptTokens, int outputTokens) {}

  /** What happened to every record read. */
  static final class Tally {
    int recordsRead;
    final Map<SkipReason, Integer> skipped = new EnumMap<>(SkipReason.class);
    final Map<LengthBound, Integer> dropped = new EnumMap<>(LengthBound.class);
    final List<Prompt> usable = new ArrayList<>();
  }

  private ShareGptDataset() {}

  static List<Prompt> load(DatasetOptions options, Tokenizer tokenizer) {
    Path file = DatasetFiles.requireReadableFile(options.dataset(), DatasetFormat.SHAREGPT);
    LengthBound.checkConsistent(options);
    Tally tally = read(file, options, tokenizer);
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
    return Sampling.withoutReplacement(tally.usable, options.numPrompts(), options.seed());
  }

  /** Reads, tokenizes and filters every record of {@code file}. */
  static Tally read(Path file, DatasetOptions options, Tokenizer tokenizer) {
    Tally tally = new Tally();
    List<Conversation> batch = new ArrayList<>(BATCH_SIZE);
    try (JsonParser parser = JSON.createParser(file.toFile())) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new InvalidInputException(
            "dataset "
                + file
                + " does not start with a JSON array: pass "
                + DatasetFiles.shape(DatasetFormat.SHAREGPT));
      }
      for (int index = 0; parser.nextToken() != JsonToken.END_ARRAY; index++) {
        JsonLocation start = parser.currentTokenLocation();
        if (parser.currentToken() != JsonToken.START_OBJECT) {
          throw malformed(file, index, start, null, "is not a JSON object");
        }
        JsonNode record = parser.readValueAsTree();
        tally.recordsRead++;
        switch (parse(file, index, start, record)) {
          case SkipReason reason -> tally.skipped.merge(reason, 1, Integer::sum);
          case Conversation conversation -> {
            batch.add(conversation);
            if (batch.size() == BATCH_SIZE) {
              measureAndFilter(batch, tokenizer, options, tally);
            }
          }
        }
      }
    } catch (JsonProcessingException e) {
      throw DatasetFiles.notJson(file, e, DatasetFormat.SHAREGPT);
    } catch (IOException e) {
      throw DatasetFiles.unreadable(file, e);
    }
    measureAndFilter(batch, tokenizer, options, tally);
    return tally;
  }

  private static Parsed parse(Path file, int index, JsonLocation start, JsonNode record) {
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
    return new Conversation(values[0], values[1]);
  }

  private static void measureAndFilter(
      List<Conversation> batch, Tokenizer tokenizer, DatasetOptions options, Tally tally) {
    List<Measured> measured =
        batch.parallelStream()
            .map(
                c ->
                    new Measured(
                        c.prompt(),
                        tokenizer.countTokens(c.prompt()),
                        tokenizer.countTokens(c.completion())))
            .toList();
    batch.clear();
    for (Measured m : measured) {
      LengthBound rejecting =
          LengthBound.firstRejecting(m.promptTokens(), m.outputTokens(), options);
      if (rejecting == null) {
        tally.usable.add(new Prompt(m.prompt(), m.promptTokens(), m.outputTokens()));
      } else {
        tally.dropped.merge(rejecting, 1, Integer::sum);
      }
    }
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
