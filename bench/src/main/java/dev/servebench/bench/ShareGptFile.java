package dev.servebench.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a ShareGPT file of the real one's shape for bench/load.sh's full-size row: {@code
 * conversations} records of 2 to 8 turns, "human" and "gpt" in turn, 5 to 600 words a turn, English
 * words with punctuation, an id per record and a few records that a loader must skip. The real
 * {@code ShareGPT_V3_unfiltered_cleaned_split.json} is about 670 MB with 94,000 conversations; this
 * one, with the defaults, is of the same order. Seeded: the same arguments write the same file.
 *
 * <p>{@code java -cp benchmarks.jar dev.servebench.bench.ShareGptFile FILE [CONVERSATIONS] [SEED]}
 */
public final class ShareGptFile {

  private static final String[] WORDS = {
    "the", "of", "and", "to", "a", "in", "is", "you", "that", "it", "for", "was", "on", "are", "as",
    "with", "his", "they", "at", "be", "this", "from", "have", "or", "by", "one", "had", "not",
    "but", "what", "all", "were", "when", "we", "there", "can", "an", "your", "which", "their",
    "said", "if", "do", "will", "each", "about", "how", "up", "out", "them", "then", "she", "many",
    "some", "so", "these", "would", "other", "into", "has", "more", "her", "two", "like", "him",
    "see", "time", "could", "no", "make", "than", "first", "been", "its", "who", "now", "people",
    "my", "made", "over", "did", "down", "only", "way", "find", "use", "may", "water", "long",
    "little", "very", "after", "words", "called", "just", "where", "most", "know", "get",
    "through", "back", "much", "before", "go", "good", "new", "write", "our", "used", "me", "man",
    "too", "any", "day", "same", "right", "look", "think", "also", "around", "another", "came",
    "come", "work", "three", "word", "must", "because", "does", "part", "even", "place", "well",
    "such", "here", "take", "why", "things", "help", "put", "years", "different", "away", "again",
    "off", "went", "old", "number", "great", "tell", "men", "say", "small", "every", "found",
    "still", "between", "name", "should", "home", "big", "give", "air", "line", "set", "own",
    "under", "read", "last", "never", "us", "left", "end", "along", "while", "might", "next",
    "sound", "below", "saw", "something", "thought", "both", "few", "those", "always", "looked",
    "show", "large", "often", "together", "asked", "house", "world", "going", "want", "school",
    "important", "until", "form", "food", "keep", "children", "feet", "land", "side", "without",
    "boy", "once", "animals", "life", "enough", "took", "sometimes", "four", "head", "above",
    "kind", "began", "almost", "live", "page", "got", "earth", "need", "far", "hand", "high",
    "year", "mother", "light", "parts", "country", "father", "let", "night", "following",
    "picture", "being", "study", "second", "eyes", "soon", "times", "story", "boys", "since",
    "white", "days", "paper", "hard", "near", "sentence", "better", "best", "across", "during",
    "today", "others", "however", "sure", "means", "knew", "try", "told", "young", "miles", "sun",
    "ways", "thing", "whole", "hear", "example", "heard", "several", "change", "answer", "room",
    "sea", "against", "top", "turned", "learn", "point", "city", "play", "toward", "five",
    "using", "himself", "usually", "function", "return", "value", "server", "model", "token",
    "latency", "request", "Python", "code", "error", "data", "file", "list", "string", "number",
  };

  private static final String[] PUNCTUATION = {".", ",", "?", "!", ":", ";"};

  private ShareGptFile() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ShareGptFile FILE [CONVERSATIONS (94000)] [SEED (1)]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int conversations = args.length > 1 ? Integer.parseInt(args[1]) : 94_000;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    try (Writer out =
        new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 20)) {
      write(out, conversations, new SplittableRandom(seed));
    }
  }

  static void write(Writer out, int conversations, SplittableRandom random) throws IOException {
    StringBuilder text = new StringBuilder(8192);
    out.write("[\n");
    for (int c = 0; c < conversations; c++) {
      if (c > 0) {
        out.write(",\n");
      }
      out.write("{\"id\": \"bench-");
      out.write(Integer.toString(c));
      out.write("\", \"conversations\": [");
      // One record in fifty starts with "gpt" and one in a hundred has a single turn, as the real
      // file has records a loader skips.
      int turns = c % 100 == 7 ? 1 : 2 + random.nextInt(7);
      boolean gptFirst = c % 50 == 3;
      for (int t = 0; t < turns; t++) {
        if (t > 0) {
          out.write(", ");
        }
        boolean human = (t % 2 == 0) != gptFirst;
        out.write(human ? "{\"from\": \"human\", \"value\": \"" : "{\"from\": \"gpt\", \"value\": \"");
        text.setLength(0);
        int words = 5 + random.nextInt(596);
        for (int w = 0; w < words; w++) {
          if (w > 0) {
            text.append(random.nextInt(40) == 0 ? "\\n" : " ");
          }
          String word = WORDS[random.nextInt(WORDS.length)];
          if (w == 0 || random.nextInt(12) == 0) {
            text.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
          } else {
            text.append(word);
          }
          if (random.nextInt(9) == 0) {
            text.append(PUNCTUATION[random.nextInt(PUNCTUATION.length)]);
          }
        }
        out.append(text);
        out.write("\"}");
      }
      out.write("]}");
    }
    out.write("\n]\n");
  }
}
