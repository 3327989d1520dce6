package dev.servebench.endpoint;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --extra-body} object, merged into every request body as a JSON Merge Patch (RFC 7396):
 * a member the body lacks is added, one it has is replaced, except that an object merges into an
 * object member by member (so {@code {"config": {"repetition_penalty": 1.1}}} adds to the simple
 * endpoint's {@code config}), and {@code null} removes the member.
 *
 * <p>Parsed once at start-up into the JSON text of each member; an adapter merges while it writes a
 * body, asking {@link Merge} before each of its own fields, so a body is written once and never
 * parsed again.
 */
public final class ExtraBody {

  /** Nothing to merge: every body is servebench's own. */
  public static final ExtraBody NONE = new ExtraBody(List.of(), List.of(), List.of(), Map.of());

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // Numbers go to the server as the user wrote them, not rounded through a double.
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private static final String EXAMPLE = "'{\"top_p\": 0.9}'";

  /** The patch's members, in its order. */
  private final String[] names;

  /**
   * Each member's value as JSON text, its objects' {@code null} members dropped (what the member
   * becomes where the body has no object to merge it into); {@code null} for a removal.
   */
  private final String[] values;

  /** Each member that is an object, as a patch of its own; {@code null} for other members. */
  private final ExtraBody[] objects;

  private final Map<String, Object> described;

  private final Merge noMerge;

  private ExtraBody(
      List<String> names,
      List<String> values,
      List<ExtraBody> objects,
      Map<String, Object> described) {
    this.names = names.toArray(String[]::new);
    this.values = values.toArray(String[]::new);
    this.objects = objects.toArray(ExtraBody[]::new);
    this.described = described;
    this.noMerge = new Merge(this, null);
  }

  /**
   * Parses {@code --extra-body}: one JSON object, each member once.
   *
   * @throws InvalidInputException for anything else, or for {@code stream}, which decides how
   *     servebench reads the answers and so has flags of its own
   */
  public static ExtraBody parse(String json) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JsonProcessingException malformed) {
      throw new InvalidInputException(
          "--extra-body is not valid JSON ("
              + malformed.getOriginalMessage()
              + (malformed.getLocation() == null
                  ? ""
                  : " at character " + (malformed.getLocation().getCharOffset() + 1))
              + "): give one JSON object in quotes, e.g. --extra-body "
              + EXAMPLE);
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidInputException(
          "--extra-body must be a JSON object, got "
              + (tree == null || tree.isMissingNode() ? "nothing" : kind(tree))
              + ": its members are merged into every request body, e.g. --extra-body "
              + EXAMPLE);
    }
    if (tree.has("stream")) {
      throw new InvalidInputException(
          "--extra-body sets \"stream\", which decides how servebench reads every answer: use"
              + " --stream or --no-stream instead");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> described = MAPPER.convertValue(tree, LinkedHashMap.class);
    return of((ObjectNode) tree, described);
  }

  private static ExtraBody of(ObjectNode patch, Map<String, Object> described) {
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<ExtraBody> objects = new ArrayList<>();
    for (Map.Entry<String, JsonNode> member : patch.properties()) {
      JsonNode value = member.getValue();
      names.add(member.getKey());
      values.add(value.isNull() ? null : text(withoutNulls(value)));
      objects.add(value.isObject() ? of((ObjectNode) value, Map.of()) : null);
    }
    return new ExtraBody(names, values, objects, described);
  }

  /** The value with every object's {@code null} members dropped, at any depth of objects. */
  private static JsonNode withoutNulls(JsonNode value) {
    if (!value.isObject()) {
      return value;
    }
    ObjectNode kept = MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> member : value.properties()) {
      if (!member.getValue().isNull()) {
        kept.set(member.getKey(), withoutNulls(member.getValue()));
      }
    }
    return kept;
  }

  private static String text(JsonNode value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static String kind(JsonNode value) {
    return switch (value.getNodeType()) {
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  public boolean isEmpty() {
    return names.length == 0;
  }

  /** The object as given, for the run's configuration. */
  public Map<String, Object> described() {
    return described;
  }

  /** Starts merging into one object of a body being written to {@code json}. */
  Merge merge(JsonGenerator json) {
    return isEmpty() ? noMerge : new Merge(this, json);
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * One object of a body being written, with the patch's members for it. The adapter asks before
   * each of its own fields and calls {@link #finish} before the object's end; used by one thread,
   * for one object.
   */
  static final class Merge {

    private final ExtraBody patch;
    private final JsonGenerator json;
    private final boolean[] merged;

    private Merge(ExtraBody patch, JsonGenerator json) {
      this.patch = patch;
      this.json = json;
      this.merged = new boolean[patch.names.length];
    }

    /**
     * Whether the adapter writes its own value for the field {@code name} (a string, number,
     * boolean or array); if the patch names the field, its value has been written instead (or
     * nothing, for {@code null}) and the answer is no.
     */
    boolean own(String name) throws IOException {
      int i = patch.indexOf(name);
      if (i < 0) {
        return true;
      }
      merged[i] = true;
      writeMember(i);
      return false;
    }

    /**
     * For an object field of the adapter's: the merge for its members, or {@code null} when the
     * patch replaced it (written already) or removed it. The adapter writes the field's name and
     * start, its members through the merge, {@link #finish}, and the end.
     */
    Merge object(String name) throws IOException {
      int i = patch.indexOf(name);
      if (i < 0) {
        return NONE.noMerge;
      }
      merged[i] = true;
      if (patch.objects[i] != null) {
        return patch.objects[i].merge(json);
      }
      writeMember(i);
      return null;
    }

    /** Writes the patch's members the adapter did not write: call before the object's end. */
    void finish() throws IOException {
      for (int i = 0; i < merged.length; i++) {
        if (!merged[i]) {
          writeMember(i);
        }
      }
    }

    private void writeMember(int i) throws IOException {
      if (patch.values[i] != null) {
        json.writeFieldName(patch.names[i]);
        json.writeRawValue(patch.values[i]);
      }
    }
  }
}
