package dev.servebench.tokenizer;

/**
 * One message of a chat conversation, as a chat template reads it ({@code message.role}, {@code
 * message.content}).
 *
 * @param role {@code user}, {@code assistant} or {@code system}
 * @param content the message's text
 */
public record ChatMessage(String role, String content) {

  /** A message from the user. */
  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  /** An answer of the model. */
  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
