package dev.servebench.dataset;

/**
 * One request's input.
 *
 * @param text the prompt as sent
 * @param promptTokens length of {@code text} in tokens of the run's tokenizer (no special tokens)
 * @param outputTokens how many tokens to ask the server to generate ({@code max_tokens})
 */
public record Prompt(String text, int promptTokens, int outputTokens) {}
