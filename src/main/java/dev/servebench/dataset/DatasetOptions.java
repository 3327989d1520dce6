package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import java.nio.file.Path;

/**
 * Everything the dataset loaders need, for every format; each format reads the fields it uses. The
 * {@link #builder()} starts from the command line's defaults.
 *
 * @param dataset the dataset file; unused by the formats that generate their prompts
 * @param numPrompts how many prompts the run sends ({@code --num-prompts})
 * @param seed seeds every random choice, so that a run's prompts are reproducible
 * @param minInputTokens ShareGPT: drop prompts with fewer tokens; null for no bound
 * @param maxInputTokens ShareGPT: drop prompts with more tokens; null for no bound
 * @param minOutputTokens ShareGPT: drop completions with fewer tokens; null for no bound
 * @param maxOutputTokens ShareGPT: drop completions with more tokens; null for no bound
 * @param maxLength ShareGPT: drop pairs whose prompt and completion together are longer; null for
 *     no bound
 * @param modelType IPEX: the model type whose prompt to send, such as {@code gpt-j}
 * @param inputTokens IPEX: the nominal input length of the prompt to send, such as 32
 * @param maxNewTokens IPEX: the output length to ask for; null to ask for as many tokens as the
 *     prompt has, as the original benchmark did
 * @param inputLenMean Synthesis: mean prompt length in tokens
 * @param inputLenStddev Synthesis: standard deviation of the prompt length in tokens
 * @param outputLenMean Synthesis: mean output length in tokens
 * @param outputLenStddev Synthesis: standard deviation of the output length in tokens
 * @param randomInputLen Random: mean prompt length in tokens, not counting the prefix
 * @param randomOutputLen Random: mean output length in tokens
 * @param randomRangeRatio Random: lengths are drawn uniformly from {@code [mean * (1 - ratio), mean
 *     * (1 + ratio)]}, in [0, 1); 0 for fixed lengths
 * @param randomPrefixLen Random: tokens of one prefix that every prompt starts with; 0 for none
 * @param prefixGroups SharedPrefix: groups, each with its own system prompt
 * @param promptsPerGroup SharedPrefix: prompts in each group
 * @param systemPromptLen SharedPrefix: tokens of each group's system prompt
 * @param questionLen SharedPrefix: tokens each prompt adds after its group's system prompt
 * @param sharedPrefixOutputLen SharedPrefix: output length in tokens
 * @param traceBlockTokens Mooncake: tokens per {@code hash_ids} block of a trace row
 */
public record DatasetOptions(
    Path dataset,
    int numPrompts,
    long seed,
    Integer minInputTokens,
    Integer maxInputTokens,
    Integer minOutputTokens,
    Integer maxOutputTokens,
    Integer maxLength,
    String modelType,
    int inputTokens,
    Integer maxNewTokens,
    double inputLenMean,
    double inputLenStddev,
    double outputLenMean,
    double outputLenStddev,
    int randomInputLen,
    int randomOutputLen,
    double randomRangeRatio,
    int randomPrefixLen,
    int prefixGroups,
    int promptsPerGroup,
    int systemPromptLen,
    int questionLen,
    int sharedPrefixOutputLen,
    int traceBlockTokens) {

  /** Checks what every format relies on; format-specific checks happen where the format loads. */
  public DatasetOptions {
    if (numPrompts < 1) {
      throw new InvalidInputException("--num-prompts must be at least 1, got " + numPrompts);
    }
    if (maxNewTokens != null && maxNewTokens < 1) {
      throw new InvalidInputException("--max-new-tokens must be at least 1, got " + maxNewTokens);
    }
  }

  /** The same options for another number of prompts (a sweep's warm-up run sends fewer). */
  public DatasetOptions withNumPrompts(int prompts) {
    return new DatasetOptions(
        dataset,
        prompts,
        seed,
        minInputTokens,
        maxInputTokens,
        minOutputTokens,
        maxOutputTokens,
        maxLength,
        modelType,
        inputTokens,
        maxNewTokens,
        inputLenMean,
        inputLenStddev,
        outputLenMean,
        outputLenStddev,
        randomInputLen,
        randomOutputLen,
        randomRangeRatio,
        randomPrefixLen,
        prefixGroups,
        promptsPerGroup,
        systemPromptLen,
        questionLen,
        sharedPrefixOutputLen,
        traceBlockTokens);
  }

  /** A builder holding the command line's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link DatasetOptions}; starts from the command line's defaults. */
  public static final class Builder {
    private Path dataset;
    private int numPrompts = 1000;
    private long seed;
    private Integer minInputTokens = 4;
    private Integer maxInputTokens = 1024;
    private Integer minOutputTokens = 4;
    private Integer maxOutputTokens;
    private Integer maxLength = 2048;
    private String modelType = "llama";
    private int inputTokens = 32;
    private Integer maxNewTokens;
    private double inputLenMean = 32;
    private double inputLenStddev;
    private double outputLenMean = 128;
    private double outputLenStddev;
    private int randomInputLen = 1024;
    private int randomOutputLen = 128;
    private double randomRangeRatio;
    private int randomPrefixLen;
    private int prefixGroups = 64;
    private int promptsPerGroup = 16;
    private int systemPromptLen = 2048;
    private int questionLen = 128;
    private int sharedPrefixOutputLen = 256;
    private int traceBlockTokens = 512;

    private Builder() {}

    public Builder dataset(Path dataset) {
      this.dataset = dataset;
      return this;
    }

    public Builder numPrompts(int numPrompts) {
      this.numPrompts = numPrompts;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder minInputTokens(Integer minInputTokens) {
      this.minInputTokens = minInputTokens;
      return this;
    }

    public Builder maxInputTokens(Integer maxInputTokens) {
      this.maxInputTokens = maxInputTokens;
      return this;
    }

    public Builder minOutputTokens(Integer minOutputTokens) {
      this.minOutputTokens = minOutputTokens;
      return this;
    }

    public Builder maxOutputTokens(Integer maxOutputTokens) {
      this.maxOutputTokens = maxOutputTokens;
      return this;
    }

    public Builder maxLength(Integer maxLength) {
      this.maxLength = maxLength;
      return this;
    }

    public Builder modelType(String modelType) {
      this.modelType = modelType;
      return this;
    }

    public Builder inputTokens(int inputTokens) {
      this.inputTokens = inputTokens;
      return this;
    }

    public Builder maxNewTokens(Integer maxNewTokens) {
      this.maxNewTokens = maxNewTokens;
      return this;
    }

    public Builder inputLenMean(double inputLenMean) {
      this.inputLenMean = inputLenMean;
      return this;
    }

    public Builder inputLenStddev(double inputLenStddev) {
      this.inputLenStddev = inputLenStddev;
      return this;
    }

    public Builder outputLenMean(double outputLenMean) {
      this.outputLenMean = outputLenMean;
      return this;
    }

    public Builder outputLenStddev(double outputLenStddev) {
      this.outputLenStddev = outputLenStddev;
      return this;
    }

    public Builder randomInputLen(int randomInputLen) {
      this.randomInputLen = randomInputLen;
      return this;
    }

    public Builder randomOutputLen(int randomOutputLen) {
      this.randomOutputLen = randomOutputLen;
      return this;
    }

    public Builder randomRangeRatio(double randomRangeRatio) {
      this.randomRangeRatio = randomRangeRatio;
      return this;
    }

    public Builder randomPrefixLen(int randomPrefixLen) {
      this.randomPrefixLen = randomPrefixLen;
      return this;
    }

    public Builder prefixGroups(int prefixGroups) {
      this.prefixGroups = prefixGroups;
      return this;
    }

    public Builder promptsPerGroup(int promptsPerGroup) {
      this.promptsPerGroup = promptsPerGroup;
      return this;
    }

    public Builder systemPromptLen(int systemPromptLen) {
      this.systemPromptLen = systemPromptLen;
      return this;
    }

    public Builder questionLen(int questionLen) {
      this.questionLen = questionLen;
      return this;
    }

    public Builder sharedPrefixOutputLen(int sharedPrefixOutputLen) {
      this.sharedPrefixOutputLen = sharedPrefixOutputLen;
      return this;
    }

    public Builder traceBlockTokens(int traceBlockTokens) {
      this.traceBlockTokens = traceBlockTokens;
      return this;
    }

    /** Builds the options and checks them. */
    public DatasetOptions build() {
      return new DatasetOptions(
          dataset,
          numPrompts,
          seed,
          minInputTokens,
          maxInputTokens,
          minOutputTokens,
          maxOutputTokens,
          maxLength,
          modelType,
          inputTokens,
          maxNewTokens,
          inputLenMean,
          inputLenStddev,
          outputLenMean,
          outputLenStddev,
          randomInputLen,
          randomOutputLen,
          randomRangeRatio,
          randomPrefixLen,
          prefixGroups,
          promptsPerGroup,
          systemPromptLen,
          questionLen,
          sharedPrefixOutputLen,
          traceBlockTokens);
    }
  }
}
