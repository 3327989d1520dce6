package dev.servebench.dataset;

import dev.servebench.tokenizer.ChatTemplate;
import dev.servebench.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/** The prompts of a run, from any {@link DatasetFormat}. */
public final class Datasets {

  private Datasets() {}

  /**
   * Exactly {@code options.numPrompts()} prompts, reproducible for a given seed. Prompt lengths are
   * counted with {@code tokenizer}, which is called from several threads.
   *
   * @throws dev.servebench.error.InvalidInputException when the dataset is missing, malformed or
   *     holds too few usable prompts; the message names the file, the record and the field
   */
  public static List<Prompt> load(
      DatasetFormat format, DatasetOptions options, Tokenizer tokenizer) {
    List<Prompt> prompts =
        switch (format) {
          case SHAREGPT -> ShareGptDataset.load(options, tokenizer);
          case IPEX -> IpexDataset.load(options, tokenizer);
          case SYNTHESIS -> SyntheticDataset.generate(options, tokenizer);
          case JSONL -> JsonlDataset.load(options, tokenizer);
          case RANDOM -> RandomDataset.generate(options, tokenizer);
          case SHARED_PREFIX -> SharedPrefixDataset.generate(options, tokenizer);
          case MOONCAKE, AZURE, BURSTGPT -> TraceDataset.load(format, options, tokenizer);
        };
    // IPEX asks for --max-new-tokens itself, and keeps one prompt for all requests.
    return options.maxNewTokens() == null || format == DatasetFormat.IPEX
        ? prompts
        : askingFor(prompts, options.maxNewTokens());
  }

  /**
   * Exactly {@code options.numPrompts()} multi-turn sessions of at most {@code maxTurns} turns each
   * ({@code --multi-turn}): only ShareGPT holds conversations. Their first turns are the prompts
   * {@link #load} would give for the same options; {@code --max-new-tokens} applies to every turn.
   *
   * @throws dev.servebench.error.InvalidInputException for another format, or as {@link #load}
   */
  public static List<Session> loadSessions(
      DatasetFormat format, DatasetOptions options, Tokenizer tokenizer, int maxTurns) {
    if (format != DatasetFormat.SHAREGPT) {
      throw new dev.servebench.error.InvalidInputException(
          "--multi-turn replays conversations, which only --dataset-format ShareGPT holds; drop"
              + " --multi-turn or pass a ShareGPT file");
    }
    List<Session> sessions = ShareGptDataset.loadSessions(options, tokenizer, maxTurns);
    return options.maxNewTokens() == null
        ? sessions
        : sessions.stream()
            .map(session -> new Session(askingFor(session.turns(), options.maxNewTokens())))
            .toList();
  }

  /**
   * Checks what can be checked before the prompts are made: that a file-based format's dataset
   * exists and can be read, and that generated lengths and counts are within bounds, so that a run
   * can say so before it talks to the server.
   *
   * @throws dev.servebench.error.InvalidInputException naming the file or flag and what to pass
   */
  public static void checkInputs(DatasetFormat format, DatasetOptions options) {
    switch (format) {
      case SYNTHESIS -> SyntheticDataset.check(options);
      case RANDOM -> RandomDataset.check(options);
      case SHARED_PREFIX -> SharedPrefixDataset.check(options);
      case MOONCAKE, AZURE, BURSTGPT -> TraceDataset.check(format, options);
      case SHAREGPT, IPEX, JSONL -> DatasetFiles.requireReadableFile(options.dataset(), format);
    }
  }

  /**
   * The arrival times of a trace's rows, the same rows {@link #load} makes prompts of: nanoseconds
   * after the first row's time (so the first is 0), in the trace's own time, non-decreasing. The
   * file is read again, a row at a time, up to the last row used.
   *
   * @throws IllegalArgumentException when {@code format} is not a trace
   * @throws dev.servebench.error.InvalidInputException when the trace is missing, malformed, out of
   *     time order or holds too few usable rows; the message names the file and the line
   */
  public static long[] traceOffsetsNanos(DatasetFormat format, DatasetOptions options) {
    if (!format.isTrace()) {
      throw new IllegalArgumentException(format + " is not a trace");
    }
    return TraceDataset.offsetsNanos(format, options);
  }

  /**
   * The prompts counted as a chat server counts them: each text as the one user message of {@code
   * template}, rendered and tokenized with its special tokens. The texts, and so the lengths a
   * dataset aimed at ({@code --input-len-mean}, a trace's input lengths), stay those of the text
   * alone; only {@link Prompt#promptTokens} changes. {@code template} and {@code tokenizer} are
   * called from several threads.
   *
   * @throws dev.servebench.error.InvalidInputException when the template fails to render
   */
  public static List<Prompt> countedAsChat(
      List<Prompt> prompts, ChatTemplate template, Tokenizer tokenizer) {
    return prompts.parallelStream()
        .map(
            prompt ->
                new Prompt(
                    prompt.text(),
                    template.countPrompt(tokenizer, prompt.text()),
                    prompt.outputTokens()))
        .toList();
  }

  /**
   * Sessions counted as a chat server counts them: each turn's {@link Prompt#promptTokens} becomes
   * what it adds to the rendered conversation ({@link ChatTemplate#countTurns}), so that a run's
   * count of turn {@code k}, the turns before it and their answers plus its own, is the rendered
   * conversation's.
   */
  public static List<Session> sessionsCountedAsChat(
      List<Session> sessions, ChatTemplate template, Tokenizer tokenizer) {
    return sessions.parallelStream()
        .map(
            session -> {
              List<String> texts = session.turns().stream().map(Prompt::text).toList();
              int[] added = template.countTurns(tokenizer, texts);
              List<Prompt> turns = new ArrayList<>(added.length);
              for (int i = 0; i < added.length; i++) {
                Prompt turn = session.turns().get(i);
                turns.add(new Prompt(turn.text(), added[i], turn.outputTokens()));
              }
              return new Session(turns);
            })
        .toList();
  }

  /**
   * {@code --max-new-tokens}: every request asks for that many tokens, whatever its dataset says,
   * as the seed script did for every format. The length bounds still apply to the dataset's own
   * lengths (ShareGPT's completions), as they did there.
   */
  private static List<Prompt> askingFor(List<Prompt> prompts, int outputTokens) {
    return prompts.stream()
        .map(prompt -> new Prompt(prompt.text(), prompt.promptTokens(), outputTokens))
        .toList();
  }
}
