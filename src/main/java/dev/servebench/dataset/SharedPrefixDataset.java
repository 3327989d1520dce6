package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * SGLang's generated-shared-prefix dataset, for measuring prefix caching: {@code --prefix-groups N}
 * groups of {@code --prompts-per-group M} prompts; every prompt of a group starts with the group's
 * system prompt of {@code --prefix-len P} tokens (the same text) and goes on with a question of its
 * own of {@code --question-len Q} tokens, asking for {@code --prefix-output-len} tokens. Each
 * prompt has exactly P + Q tokens.
 *
 * <p>A run sends {@code numPrompts} of the N × M prompts (all of them unless {@code --num-prompts}
 * says fewer), drawn without replacement in an order shuffled with the seed, so a group's prompts
 * arrive spread over the run as SGLang sends them. Unlike SGLang, no blank line is put between
 * system prompt and question: the question is generated to its length where it stands.
 */
final class SharedPrefixDataset {

  private SharedPrefixDataset() {}

  static List<Prompt> generate(DatasetOptions options, Tokenizer tokenizer) {
    check(options);
    SyntheticText text = SyntheticText.of(tokenizer);
    long seed = options.seed();
    // Prompt s of the N × M is question s % M of group s / M; only the groups drawn are made.
    List<Long> slots =
        Sampling.distinctIndices(prompts(options), options.numPrompts(), new Random(seed));
    int perGroup = options.promptsPerGroup();
    Map<Long, String> systemPrompts =
        slots.stream()
            .map(slot -> slot / perGroup)
            .distinct()
            .parallel()
            .collect(
                Collectors.toConcurrentMap(
                    group -> group,
                    group ->
                        text.ofLength(
                            options.systemPromptLen(),
                            new Random(SyntheticText.seedFor(seed, 2 * group)))));
    int systemTokens = options.systemPromptLen();
    int promptTokens = systemTokens + options.questionLen();
    return slots.parallelStream()
        .map(
            slot -> {
              String system = systemPrompts.get(slot / perGroup);
              String question =
                  text.after(
                      system,
                      systemTokens,
                      options.questionLen(),
                      SyntheticText.seedFor(seed, 2 * slot + 1));
              return new Prompt(system + question, promptTokens, options.sharedPrefixOutputLen());
            })
        .toList();
  }

  /** How many distinct prompts the groups hold: groups × prompts per group. */
  static long prompts(DatasetOptions options) {
    return (long) options.prefixGroups() * options.promptsPerGroup();
  }

  /** The flags' bounds, that the groups hold enough prompts, and that they fit in the heap. */
  static void check(DatasetOptions options) {
    requireAtLeastOne("--prefix-groups", options.prefixGroups());
    requireAtLeastOne("--prompts-per-group", options.promptsPerGroup());
    requireAtLeastOne("--prefix-len", options.systemPromptLen());
    requireAtLeastOne("--question-len", options.questionLen());
    requireAtLeastOne("--prefix-output-len", options.sharedPrefixOutputLen());
    if ((double) options.systemPromptLen() + options.questionLen()
        > SyntheticDataset.MAX_LENGTH_TOKENS) {
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "--prefix-len %d with --question-len %d is longer than %.0f tokens, longer than any"
                  + " model's context: lower them",
              options.systemPromptLen(),
              options.questionLen(),
              SyntheticDataset.MAX_LENGTH_TOKENS));
    }
    long available = prompts(options);
    if (options.numPrompts() > available) {
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "--num-prompts %d is more than the %d prompts of --prefix-groups %d ×"
                  + " --prompts-per-group %d: lower --num-prompts to %d or fewer (or leave it out"
                  + " to send every prompt), or add groups or prompts per group",
              options.numPrompts(),
              available,
              options.prefixGroups(),
              options.promptsPerGroup(),
              available));
    }
    SyntheticText.checkFitsInHeap(
        "--num-prompts " + options.numPrompts() + " shared-prefix prompts",
        options.numPrompts(),
        options.systemPromptLen() + (double) options.questionLen(),
        "--num-prompts, --prefix-len or --question-len",
        Runtime.getRuntime().maxMemory());
  }

  private static void requireAtLeastOne(String flag, int value) {
    if (value < 1) {
      throw new InvalidInputException(flag + " must be at least 1, got " + value);
    }
  }
}
