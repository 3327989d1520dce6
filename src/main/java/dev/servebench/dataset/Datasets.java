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
    return switch (format) {
      case SHAREGPT -> ShareGptDataset.load(options, tokenizer);
      case IPEX -> IpexDataset.load(options, tokenizer);
      case SYNTHESIS -> SyntheticDataset.generate(options, tokenizer);
      case JSONL -> JsonlDataset.load(options, tokenizer);
    };
  }
}
