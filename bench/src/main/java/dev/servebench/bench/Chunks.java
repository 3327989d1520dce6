package dev.servebench.bench;

import java.nio.charset.StandardCharsets;

/** Realistic response bytes: vLLM's OpenAI chat stream, event by event. */
final class Chunks {

  private Chunks() {}

  static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
  private static final String WORDS[] = {
    " the", " model", " answers", ",", " and", " then", " it", " streams", " another", " token", "."
  };

  /** One token-bearing event as vLLM writes it (about 210 bytes). */
  static String chatEvent(int i) {
    return "data: {\"id\":\"chatcmpl-8f2d6c0e5b3a4c1e9d7f6a5b4c3d2e1f\",\"object\":\"chat.completion.chunk\","
        + "\"created\":1732752000,\"model\":\"" + MODEL + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + WORDS[i % WORDS.length].replace("\"", "\\\"")
        + "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
  }

  /** The final usage event (stream_options.include_usage). */
  static String usageEvent() {
    return "data: {\"id\":\"chatcmpl-8f2d6c0e5b3a4c1e9d7f6a5b4c3d2e1f\",\"object\":\"chat.completion.chunk\","
        + "\"created\":1732752000,\"model\":\"" + MODEL + "\",\"choices\":[],"
        + "\"usage\":{\"prompt_tokens\":128,\"total_tokens\":228,\"completion_tokens\":100}}\n\n";
  }

  /** {@code events} consecutive token events in one buffer, as one read would carry them. */
  static byte[] read(int events, int first) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < events; i++) {
      out.append(chatEvent(first + i));
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
