package dev.servebench.dataset;

import dev.servebench.tokenizer.Tokenizer;
import java.util.List;

/** The prompts of a run, from any {@link DatasetFormat}. */
public final class Datasets {

  private Datasets() {}

  /**
   * Exactly {@code options.numPrompts()} prompts, reproducible for a given seed. Prompt lengths are
   * counted with {@code tokenizer}, which is called from several threads.
   *
   * @throws dev.servebench.config.InvalidInputException when the dataset is missing, malformed or
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
        };
    return options.maxNewTokens() == null ? prompts : askingFor(prompts, options.maxNewTokens());
  }

  /**
   * Checks that the dataset file of a file-based format exists and can be read, so that a run can
   * say so before it talks to the server.
   *
   * @throws dev.servebench.config.InvalidInputException naming the file and what to pass instead
   */
  public static void checkFile(DatasetFormat format, DatasetOptions options) {
    if (format != DatasetFormat.SYNTHESIS) {
      DatasetFiles.requireReadableFile(options.dataset(), format);
    }
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
