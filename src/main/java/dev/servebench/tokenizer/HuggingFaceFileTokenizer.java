package dev.servebench.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.servebench.config.FileDigest;
import dev.servebench.config.FileStart;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A Hugging Face {@code tokenizer.json} read from a local file and run by the Rust tokenizers
 * library through DJL, so counts match what a server using the same file computes.
 *
 * <p>Encoding adds no special tokens (no BOS such as Llama 3's {@code <|begin_of_text|>} or
 * Mistral's {@code <s>}), and DJL is told never to truncate or pad: its default would cut every
 * text at 512 tokens.
 *
 * <p>Thread-safe without locking: DJL's tokenizer object keeps only the native handle and options
 * fixed at construction, and the native encode and decode borrow the Rust {@code Tokenizer}
 * immutably (the type is {@code Sync}; its BPE cache sits behind its own lock). Instances are never
 * closed: {@link Tokenizers} caches them for the life of the process, which also keeps the native
 * handle from being freed under a running call.
 */
final class HuggingFaceFileTokenizer implements Tokenizer {

  static {
    // DJL sends a telemetry ping (after probing the EC2 metadata address) on every load unless
    // tracking is opted out, and may try to download a native library: a load generator must not
    // make network calls of its own. The bundled native library covers the usual platforms.
    setUnlessUserSet("OPT_OUT_TRACKING", "true");
    setUnlessUserSet("ai.djl.offline", "true");
    // DJL logs through slf4j and we ship no slf4j binding; without this, slf4j prints a three-line
    // "no providers" warning on stderr in the middle of a run's output.
    setUnlessUserSet("slf4j.internal.verbosity", "ERROR");
  }

  private static final Map<String, String> OPTIONS =
      Map.of(
          "addSpecialTokens", "false",
          "truncation", "false",
          "padding", "false",
          "modelMaxLength", String.valueOf(Integer.MAX_VALUE));

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final CompletableFuture<String> fingerprint;
  private final CompletableFuture<TokenizerJsonVocabulary.Vocabulary> vocabulary;
  private volatile int[] wholeTextTokenIds;

  private HuggingFaceFileTokenizer(
      Path file,
      HuggingFaceTokenizer tokenizer,
      CompletableFuture<String> fingerprint,
      CompletableFuture<TokenizerJsonVocabulary.Vocabulary> vocabulary) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.fingerprint = fingerprint;
    this.vocabulary = vocabulary;
  }

  /**
   * Loads {@code path}: a {@code tokenizer.json} file, or a directory that contains one.
   *
   * <p>While the native library parses the file, another thread digests it (the prompt cache's key)
   * and reads its vocabulary (what synthetic prompts draw from): a run needs both before its first
   * prompt, and neither waits for the other.
   *
   * @throws InvalidInputException naming the path when it cannot be read or is not a tokenizer
   */
  static HuggingFaceFileTokenizer load(Path path) {
    Path file = tokenizerFile(path);
    CompletableFuture<String> fingerprint = new CompletableFuture<>();
    CompletableFuture<TokenizerJsonVocabulary.Vocabulary> vocabulary = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .name("servebench-tokenizer-file")
        .start(
            () -> {
              complete(fingerprint, () -> fingerprintOf(file));
              complete(vocabulary, () -> TokenizerJsonVocabulary.read(file));
            });
    try {
      return new HuggingFaceFileTokenizer(
          file, HuggingFaceTokenizer.newInstance(file, OPTIONS), fingerprint, vocabulary);
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read tokenizer file " + file + " (" + e.getMessage() + "): check the path", e);
    } catch (RuntimeException e) {
      // The native library reports bad JSON and unknown tokenizer shapes as RuntimeException.
      throw new InvalidInputException(
          file
              + " is not a Hugging Face tokenizer.json ("
              + e.getMessage()
              + "): pass the tokenizer.json of the served model",
          e);
    }
  }

  private static <T> void complete(CompletableFuture<T> future, Supplier<T> work) {
    try {
      future.complete(work.get());
    } catch (RuntimeException | Error e) {
      future.completeExceptionally(e);
    }
  }

  /** The future's value, or what it failed with, as it was thrown. */
  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static String fingerprintOf(Path file) {
    try {
      return "tokenizer.json:digest:" + HexFormat.of().formatHex(FileDigest.of(file));
    } catch (IOException unreadable) {
      // Unreadable now though it loads: fall back to something that never matches a cache.
      return "tokenizer.json:unreadable:" + System.nanoTime();
    }
  }

  /** The tokenizer file itself, after checks that give a clearer message than DJL's own. */
  static Path tokenizerFile(Path path) {
    if (!Files.exists(path)) {
      throw new InvalidInputException(
          "tokenizer file " + path + " does not exist: pass the path of a tokenizer.json");
    }
    Path file = path;
    if (Files.isDirectory(path)) {
      file = path.resolve("tokenizer.json");
      if (!Files.isRegularFile(file)) {
        throw new InvalidInputException(
            "directory "
                + path
                + " has no tokenizer.json: pass the path of the model's tokenizer.json file");
      }
    }
    if (!Files.isReadable(file)) {
      throw new InvalidInputException(
          "cannot read tokenizer file " + file + ": check its permissions");
    }
    try {
      // A tokenizer.json is a JSON object: anything else is refused before it is read whole.
      if (FileStart.looksBinary(file) || FileStart.firstNonSpace(file) != '{') {
        throw new InvalidInputException(
            file
                + " is not a Hugging Face tokenizer.json (it does not start as a JSON object):"
                + " pass the tokenizer.json of the served model");
      }
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read tokenizer file " + file + " (" + e.getMessage() + "): check the path", e);
    }
    return file;
  }

  @Override
  public String fingerprint() {
    return await(fingerprint);
  }

  @Override
  public Optional<Path> sourceFile() {
    return Optional.of(file);
  }

  @Override
  public String name() {
    // A file in the Hugging Face cache sits under a revision hash: the repository names it.
    String repoId = HuggingFaceCache.repoIdOfFile(file);
    if (repoId != null) {
      return repoId;
    }
    // A bare "tokenizer.json" says nothing in a report; its directory usually names the model.
    Path fileName = file.getFileName();
    Path parent = file.toAbsolutePath().getParent();
    if (fileName.toString().equals("tokenizer.json") && parent != null) {
      return parent.getFileName() + "/" + fileName;
    }
    return fileName.toString();
  }

  /**
   * The ids alone, from the native encoding: DJL's {@code encode} also copies out every token's
   * string, offsets, type ids, word ids and masks, most of the cost of counting a prompt. The
   * native tokenizer already holds this instance's settings (no truncation, no padding).
   */
  @Override
  public int[] encode(String text) {
    long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
    long[] ids;
    try {
      ids = TokenizersLibrary.LIB.getTokenIds(encoding);
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
    int[] result = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      result[i] = (int) ids[i];
    }
    return result;
  }

  @Override
  public int[] tokenEndOffsets(String text) {
    CharSpan[] spans = tokenizer.encode(text, false, false).getCharTokenSpans();
    // The spans count code points (Rust's chars); a Java index counts UTF-16 units.
    int[] charIndexOfCodePoint = new int[text.codePointCount(0, text.length()) + 1];
    for (int codePoint = 0, index = 0; index < text.length(); codePoint++) {
      index += Character.charCount(text.codePointAt(index));
      charIndexOfCodePoint[codePoint + 1] = index;
    }
    int[] ends = new int[spans.length];
    int previous = 0;
    for (int i = 0; i < spans.length; i++) {
      // A token without a span (one the tokenizer inserted) ends where the one before it did.
      int end =
          spans[i] == null
              ? previous
              : charIndexOfCodePoint[
                  Math.min(charIndexOfCodePoint.length - 1, Math.max(0, spans[i].getEnd()))];
      ends[i] = Math.max(previous, end);
      previous = ends[i];
    }
    return ends;
  }

  @Override
  public String decode(int[] tokenIds) {
    long[] ids = new long[tokenIds.length];
    for (int i = 0; i < tokenIds.length; i++) {
      ids[i] = tokenIds[i];
    }
    return tokenizer.decode(ids, true);
  }

  /** One native call for all of them, instead of one per token. */
  @Override
  public String[] decodeEach(int[] tokenIds) {
    long[][] each = new long[tokenIds.length][];
    for (int i = 0; i < tokenIds.length; i++) {
      each[i] = new long[] {tokenIds[i]};
    }
    return tokenizer.batchDecode(each, true);
  }

  @Override
  public int[] ordinaryTokenIds() {
    return await(vocabulary).ordinary();
  }

  /**
   * Decided from the vocabulary's strings where the decoder is byte-level; the ids that cannot be
   * decided there are decoded, in one native call.
   */
  @Override
  public int[] wholeTextTokenIds() {
    int[] ids = wholeTextTokenIds;
    if (ids == null) {
      TokenizerJsonVocabulary.Vocabulary read = await(vocabulary);
      BitSet whole = (BitSet) read.wholeText().clone();
      int[] undecided = read.undecided();
      if (undecided.length > 0) {
        String[] texts = decodeEach(undecided);
        for (int i = 0; i < undecided.length; i++) {
          if (Tokenizer.isWholeText(texts[i])) {
            whole.set(undecided[i]);
          }
        }
      }
      ids = whole.stream().toArray();
      wholeTextTokenIds = ids;
    }
    return ids;
  }

  private static void setUnlessUserSet(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }
}
