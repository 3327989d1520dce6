package dev.servebench.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small seeded fuzzer: mutations of valid inputs that aim at what breaks parsers (flipped bytes,
 * truncation, invalid UTF-8, huge lines and numbers, deep nesting, values of the wrong type). Every
 * failure is reproducible from the seed printed with it. {@code -Dservebench.fuzz.iterations=N}
 * makes a longer run; the default keeps the normal build fast.
 */
public final class Fuzz {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final byte[][] INVALID_UTF8 = {
    {(byte) 0xFF}, // never valid
    {(byte) 0xC3, 0x28}, // a lead byte without its continuation
    {(byte) 0x80}, // a lone continuation byte
    {(byte) 0xE2, (byte) 0x82}, // a three-byte character cut short
    {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, // a four-byte character cut short
    {(byte) 0xC0, (byte) 0xAF}, // an overlong encoding of '/'
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate encoded as UTF-8
  };

  private static final byte[] STRUCTURE = "{}[]\":,\n\r\\ 0-e.".getBytes(StandardCharsets.US_ASCII);

  private static final int MAX_READS = 2_000;

  private Fuzz() {}

  /** Iterations for one fuzz test: {@code defaultCount}, or the system property when set. */
  public static int iterations(int defaultCount) {
    return Integer.getInteger("servebench.fuzz.iterations", defaultCount);
  }

  /**
   * How long a whole fuzz test may take before it counts as a hang: generous for the default run,
   * growing with longer runs.
   */
  public static Duration timeLimit(int iterations) {
    return Duration.ofSeconds(Math.max(10, iterations / 20));
  }

  /** One to three stacked mutations of {@code seed}. */
  public static byte[] mutate(byte[] seed, SplittableRandom random) {
    byte[] bytes = seed;
    int rounds = 1 + random.nextInt(3);
    for (int round = 0; round < rounds; round++) {
      bytes = mutateOnce(bytes, random);
    }
    return bytes;
  }

  private static byte[] mutateOnce(byte[] bytes, SplittableRandom random) {
    int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
    return switch (random.nextInt(12)) {
      case 0 -> flipBits(bytes, random);
      case 1 -> Arrays.copyOf(bytes, at); // truncated
      case 2 -> insert(bytes, at, randomBytes(random, 1 + random.nextInt(16)));
      case 3 -> delete(bytes, at, random.nextInt(64));
      case 4 -> insert(bytes, at, Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 64)));
      case 5 -> insert(bytes, at, INVALID_UTF8[random.nextInt(INVALID_UTF8.length)]);
      case 6 -> insert(bytes, at, hugeLine(random));
      case 7 -> insert(bytes, at, deepNesting(random));
      case 8 -> insert(bytes, at, hugeNumber(random));
      case 9 -> replaceWithStructure(bytes, random);
      case 10 -> randomBytes(random, random.nextInt(512));
      default -> replaceJsonValue(bytes, random);
    };
  }

  /**
   * Splits {@code length} bytes into read sizes: mostly small, sometimes empty, sometimes all at
   * once, as a network might deliver them.
   */
  public static List<Integer> readSizes(int length, SplittableRandom random) {
    List<Integer> sizes = new ArrayList<>();
    int maxRead = random.nextBoolean() ? 1 + random.nextInt(8) : 1 + random.nextInt(length + 1);
    // Huge bodies in tiny reads would make the fuzzer, not the parser, slow.
    maxRead = Math.max(maxRead, length / MAX_READS);
    for (int left = length; left > 0; ) {
      int size = random.nextInt(10) == 0 ? 0 : Math.min(left, 1 + random.nextInt(maxRead));
      sizes.add(size);
      left -= size;
    }
    return sizes;
  }

  /**
   * {@code bytes} with one JSON value somewhere in it replaced by a value of another type: null, a
   * number, a huge number, a string, an empty array or object, a boolean or deep nesting. Bytes
   * that are not JSON are returned flipped instead.
   */
  public static byte[] replaceJsonValue(byte[] bytes, SplittableRandom random) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (Exception notJson) {
      return flipBits(bytes, random);
    }
    if (root == null || !root.isContainerNode()) {
      return flipBits(bytes, random);
    }
    List<JsonNode> containers = new ArrayList<>();
    collectContainers(root, containers);
    JsonNode container = containers.get(random.nextInt(containers.size()));
    if (container.isEmpty()) {
      return flipBits(bytes, random);
    }
    JsonNode replacement = randomValue(random);
    if (container instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      object.set(names.get(random.nextInt(names.size())), replacement);
    } else {
      ArrayNode array = (ArrayNode) container;
      array.set(random.nextInt(array.size()), replacement);
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (Exception unwritable) {
      return flipBits(bytes, random);
    }
  }

  private static void collectContainers(JsonNode node, List<JsonNode> containers) {
    if (node.isContainerNode()) {
      containers.add(node);
      for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
        collectContainers(children.next(), containers);
      }
    }
  }

  private static JsonNode randomValue(SplittableRandom random) {
    return switch (random.nextInt(10)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.numberNode(random.nextInt());
      case 2 -> NODES.numberNode(new BigInteger("9".repeat(1 + random.nextInt(60))));
      case 3 -> NODES.numberNode(random.nextBoolean() ? 1e300 : -0.5);
      case 4 -> NODES.textNode(random.nextBoolean() ? "" : "x");
      case 5 -> NODES.arrayNode();
      case 6 -> NODES.objectNode();
      case 7 -> NODES.booleanNode(random.nextBoolean());
      case 8 -> NODES.numberNode(-1);
      default -> {
        ArrayNode nested = NODES.arrayNode();
        ArrayNode inner = nested;
        for (int depth = 0; depth < 200; depth++) {
          inner = inner.addArray();
        }
        yield nested;
      }
    };
  }

  private static byte[] flipBits(byte[] bytes, SplittableRandom random) {
    if (bytes.length == 0) {
      return randomBytes(random, 1);
    }
    byte[] flipped = bytes.clone();
    int flips = 1 + random.nextInt(4);
    for (int i = 0; i < flips; i++) {
      flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return flipped;
  }

  private static byte[] replaceWithStructure(byte[] bytes, SplittableRandom random) {
    if (bytes.length == 0) {
      return new byte[] {STRUCTURE[random.nextInt(STRUCTURE.length)]};
    }
    byte[] replaced = bytes.clone();
    replaced[random.nextInt(replaced.length)] = STRUCTURE[random.nextInt(STRUCTURE.length)];
    return replaced;
  }

  private static byte[] hugeLine(SplittableRandom random) {
    byte[] line = new byte[100_000 + random.nextInt(400_000)];
    Arrays.fill(line, random.nextBoolean() ? (byte) 'a' : (byte) '[');
    if (random.nextBoolean()) {
      System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, line, 0, 6);
    }
    return line;
  }

  private static byte[] deepNesting(SplittableRandom random) {
    int depth = 300 + random.nextInt(20_000);
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    String nested = open.repeat(depth) + "1" + (random.nextBoolean() ? close.repeat(depth) : "");
    return nested.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] hugeNumber(SplittableRandom random) {
    String number =
        switch (random.nextInt(4)) {
          case 0 -> "9".repeat(10 + random.nextInt(5_000));
          case 1 -> "1e" + "9".repeat(1 + random.nextInt(12));
          case 2 -> "-0." + "0".repeat(random.nextInt(3_000)) + "1e-99999";
          default -> "2147483648";
        };
    return number.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] randomBytes(SplittableRandom random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
    ByteArrayOutputStream joined = new ByteArrayOutputStream(bytes.length + inserted.length);
    joined.write(bytes, 0, at);
    joined.write(inserted, 0, inserted.length);
    joined.write(bytes, at, bytes.length - at);
    return joined.toByteArray();
  }

  private static byte[] delete(byte[] bytes, int at, int count) {
    int end = Math.min(bytes.length, at + count);
    byte[] shorter = new byte[bytes.length - (end - at)];
    System.arraycopy(bytes, 0, shorter, 0, at);
    System.arraycopy(bytes, end, shorter, at, bytes.length - end);
    return shorter;
  }
}
