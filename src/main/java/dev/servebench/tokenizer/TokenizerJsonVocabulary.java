package dev.servebench.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Reads which ids of a {@code tokenizer.json} are ordinary: every id of {@code model.vocab} that is
 * not an added token marked {@code "special": true}. Added tokens outside {@code model.vocab} (chat
 * markers such as Qwen's {@code <tool_call>}) are not ordinary either: they are not text a model
 * was trained to produce from plain input.
 *
 * <p>DJL does not expose the vocabulary, so the file is read again, as a stream: the files hold
 * hundreds of thousands of merges that a tree would keep in memory for nothing.
 */
final class TokenizerJsonVocabulary {

  private static final JsonFactory JSON = new JsonFactory();

  private TokenizerJsonVocabulary() {}

  static int[] ordinaryTokenIds(Path file) {
    BitSet vocabularyIds = new BitSet();
    BitSet specialIds = new BitSet();
    try (JsonParser parser = JSON.createParser(file.toFile())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw notATokenizer(file, "the top level is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        switch (field) {
          case "added_tokens" -> readSpecialIds(parser, specialIds);
          case "model" -> readModelVocabulary(parser, vocabularyIds);
          default -> parser.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw notATokenizer(file, e.getOriginalMessage() + " at " + location(e));
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read tokenizer file " + file + " (" + e.getMessage() + "): check the path", e);
    }
    if (vocabularyIds.isEmpty()) {
      throw notATokenizer(file, "it has no model.vocab");
    }
    vocabularyIds.andNot(specialIds);
    return vocabularyIds.stream().toArray();
  }

  /** {@code model.vocab} is an object of token to id (BPE, WordPiece) or a list (Unigram). */
  private static void readModelVocabulary(JsonParser parser, BitSet ids) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return;
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (!field.equals("vocab")) {
        parser.skipChildren();
      } else if (value == JsonToken.START_OBJECT) {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          parser.nextToken();
          ids.set(parser.getIntValue());
        }
      } else if (value == JsonToken.START_ARRAY) {
        // Unigram: [[piece, score], ...], the id is the position.
        for (int id = 0; parser.nextToken() != JsonToken.END_ARRAY; id++) {
          parser.skipChildren();
          ids.set(id);
        }
      }
    }
  }

  private static void readSpecialIds(JsonParser parser, BitSet ids) throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      parser.skipChildren();
      return;
    }
    for (JsonToken element = parser.nextToken();
        element != JsonToken.END_ARRAY;
        element = parser.nextToken()) {
      if (element != JsonToken.START_OBJECT) {
        parser.skipChildren();
        continue;
      }
      int id = -1;
      boolean special = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("id") && value == JsonToken.VALUE_NUMBER_INT) {
          id = parser.getIntValue();
        } else if (field.equals("special")) {
          special = value == JsonToken.VALUE_TRUE;
        } else {
          parser.skipChildren();
        }
      }
      if (special && id >= 0) {
        ids.set(id);
      }
    }
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? "an unknown position"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static InvalidInputException notATokenizer(Path file, String why) {
    return new InvalidInputException(
        file + " is not a Hugging Face tokenizer.json (" + why + "): pass the served model's one");
  }
}
