package dev.servebench.mock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.ChatMessage;
import dev.servebench.tokenizer.ChatTemplate;
import dev.servebench.tokenizer.Tokenizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a request into a {@link Reply}: picks the protocol by route, validates the body the way a
 * real server does, counts prompt tokens and settles the output length.
 */
final class MockRouter {

  private static final String CHAT_PATH = "/v1/chat/completions";
  private static final String COMPLETIONS_PATH = "/v1/completions";
  private static final String MODELS_PATH = "/v1/models";
  private static final String EMBEDDINGS_PATH = "/v1/embeddings";

  /** SGLang's route, and TGI's for a whole answer: the body tells them apart. */
  private static final String GENERATE_PATH = "/generate";

  private static final String TGI_STREAM_PATH = "/generate_stream";

  /** Triton's routes: {@code /v2/models/<model>/generate} and {@code .../generate_stream}. */
  private static final String TRITON_PREFIX = "/v2/models/";

  private static final byte[] COLLECTED_BODY = MockJson.utf8("{\"collected\":true}");

  /**
   * Real servers cap output at the context length; this cap keeps one request from exhausting
   * memory.
   */
  static final int MAX_OUTPUT_TOKENS = 1 << 20;

  /** SplittableRandom's own increment: spreads consecutive request numbers far apart. */
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  /** The client's own name for a request, under which the write log files it. */
  static final String REQUEST_ID_HEADER = "X-Servebench-Request-Id";

  private final MockServerConfig config;
  private final MockCounters counters;
  private final Injections injections;
  private final byte[] modelsBody;
  private final WriteLog writeLog;
  private final SequenceScheduler scheduler;
  private final AtomicLong generationRequests = new AtomicLong();

  /** The last requests whole, or {@code null} when the config asks for none. */
  final RequestCapture capture;

  MockRouter(
      MockServerConfig config,
      MockCounters counters,
      WriteLog writeLog,
      SequenceScheduler scheduler) {
    this.config = config;
    this.counters = counters;
    this.writeLog = writeLog;
    this.scheduler = scheduler;
    this.injections = new Injections(config, counters);
    this.capture =
        config.captureRequests() > 0 ? new RequestCapture(config.captureRequests()) : null;
    ObjectNode models = MockJson.object().put("object", "list");
    models.putArray("data").addObject().put("id", config.modelName()).put("object", "model");
    this.modelsBody = MockJson.bytes(models);
  }

  /** Where a generation request stands in the server's arrivals. */
  private record Arrival(long requestNumber, String requestId, long receivedNanos) {}

  /**
   * @param receivedNanos when the request's first bytes were read
   */
  Reply route(FullHttpRequest request, long receivedNanos) {
    if (capture != null) {
      capture.add(request);
    }
    try {
      return dispatch(request, receivedNanos);
    } catch (RequestException e) {
      return Reply.Fixed.error(e);
    }
  }

  private Reply dispatch(FullHttpRequest request, long receivedNanos) {
    String path = new QueryStringDecoder(request.uri()).path();
    HttpMethod method = request.method();
    if (HttpMethod.GET.equals(method)) {
      if (path.equals(MODELS_PATH)) {
        return Reply.Fixed.ok(modelsBody);
      }
      if (path.equals(MockServer.METRICS_PATH)) {
        return new Reply.Fixed(
            HttpResponseStatus.OK,
            VllmMetrics.render(config.modelName(), scheduler, counters),
            false,
            VllmMetrics.CONTENT_TYPE);
      }
      if (path.equals(MockServer.WRITES_PATH)) {
        return Reply.Fixed.ok(WriteLogJson.encode(writeLog.takeAll()));
      }
      throw new RequestException(
          HttpResponseStatus.NOT_FOUND, "not_found_error", "no route GET " + path);
    }
    if (!HttpMethod.POST.equals(method)) {
      throw new RequestException(
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          "invalid_request_error",
          "method " + method + " is not allowed on " + path);
    }
    if (path.equals(MockServer.COLLECT_PATH)) {
      System.gc();
      return Reply.Fixed.ok(COLLECTED_BODY);
    }
    JsonNode body = parseObject(request.content());
    long requestNumber = generationRequests.getAndIncrement();
    String requestId = request.headers().get(REQUEST_ID_HEADER);
    Arrival arrival =
        new Arrival(
            requestNumber,
            requestId != null ? requestId : Long.toString(requestNumber),
            receivedNanos);
    Generation generation =
        switch (path) {
          case CHAT_PATH -> chat(body, arrival);
          case COMPLETIONS_PATH -> completion(body, arrival);
          case EMBEDDINGS_PATH -> embeddings(body, arrival);
          case TGI_STREAM_PATH -> tgi(body, arrival, true);
          case GENERATE_PATH ->
              body.has("inputs") ? tgi(body, arrival, false) : sglang(body, arrival);
          default ->
              path.startsWith(TRITON_PREFIX) ? triton(path, body, arrival) : simple(body, arrival);
        };
    counters.received(generation);
    return generation;
  }

  private Generation chat(JsonNode body, Arrival arrival) {
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw RequestException.invalid("'messages' must be a non-empty array");
    }
    ChatTemplate template = config.chatTemplate();
    StringBuilder prompt = new StringBuilder();
    List<ChatMessage> conversation = new ArrayList<>(messages.size());
    for (JsonNode message : messages) {
      String text = messageText(message.get("content"));
      if (template == null) {
        prompt.append(text);
      } else {
        conversation.add(new ChatMessage(message.path("role").asText("user"), text));
      }
    }
    if (template != null) {
      try {
        prompt.append(template.render(conversation));
      } catch (InvalidInputException failed) {
        throw RequestException.invalid(failed.getMessage());
      }
    }
    int promptTokens = config.tokenizer().countTokens(prompt.toString());
    return openAi(OpenAiFormat.Kind.CHAT, body, arrival, promptTokens);
  }

  /** Content is a string, or (multimodal shape) a list of parts of which the text parts count. */
  private static String messageText(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.textValue();
    }
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        text.append(part.path("text").asText(""));
      }
      return text.toString();
    }
    throw RequestException.invalid("message 'content' must be a string or a list of parts");
  }

  private Generation completion(JsonNode body, Arrival arrival) {
    return openAi(OpenAiFormat.Kind.COMPLETION, body, arrival, completionPromptTokens(body));
  }

  /** A prompt is a string, a list of token ids, or a list holding one of those. */
  private int completionPromptTokens(JsonNode body) {
    JsonNode prompt = body.get("prompt");
    if (prompt != null && prompt.isArray() && prompt.size() == 1 && !prompt.get(0).isNumber()) {
      prompt = prompt.get(0);
    }
    if (prompt != null && prompt.isTextual()) {
      return config.tokenizer().countTokens(prompt.textValue());
    }
    if (prompt != null && prompt.isArray() && !prompt.isEmpty() && allIntegers(prompt)) {
      return prompt.size();
    }
    throw RequestException.invalid(
        "'prompt' must be a string or a list of token ids (the mock answers one prompt per"
            + " request)");
  }

  private static boolean allIntegers(JsonNode array) {
    for (JsonNode element : array) {
      if (!element.isIntegralNumber()) {
        return false;
      }
    }
    return true;
  }

  private Generation openAi(
      OpenAiFormat.Kind kind, JsonNode body, Arrival arrival, int promptTokens) {
    JsonNode model = body.get("model");
    OpenAiFormat format =
        new OpenAiFormat(
            kind,
            arrival.requestNumber(),
            System.currentTimeMillis() / 1000,
            model != null && model.isTextual() ? model.textValue() : config.modelName(),
            config.sendRoleChunk(),
            body.path("stream_options").path("include_usage").asBoolean(false),
            config.usagePlacement());
    // vLLM reads the newer name first and falls back to the older one.
    JsonNode maxTokens = body.get("max_completion_tokens");
    if (maxTokens == null || maxTokens.isNull()) {
      maxTokens = body.get("max_tokens");
    }
    return generation(
        format,
        body.path("stream").asBoolean(false),
        new int[] {promptTokens},
        outputTokens(maxTokens, "max_tokens"),
        arrival);
  }

  private Generation simple(JsonNode body, Arrival arrival) {
    JsonNode text = body.get("text");
    if (text == null) {
      // LLM-on-Ray fails with a KeyError here, which Ray Serve answers with a 500.
      throw new RequestException(
          HttpResponseStatus.INTERNAL_SERVER_ERROR, "server_error", "the request has no 'text'");
    }
    JsonNode generationConfig = body.path("config");
    if (!generationConfig.isMissingNode() && !generationConfig.isObject()) {
      throw RequestException.invalid("'config' must be an object");
    }
    boolean stream = body.path("stream").asBoolean(false);
    int[] promptTokens = simplePromptTokens(text, stream);
    return generation(
        new SimpleFormat(generationConfig.has("ignore_eos"), text.isArray()),
        stream,
        promptTokens,
        outputTokens(generationConfig.get("max_new_tokens"), "config.max_new_tokens"),
        arrival);
  }

  /** Text Generation Inference: {@code {"inputs", "parameters": {"max_new_tokens"}}}. */
  private Generation tgi(JsonNode body, Arrival arrival, boolean stream) {
    JsonNode parameters = body.path("parameters");
    return generation(
        new TgiFormat(),
        stream,
        new int[] {promptTokens(body, "inputs")},
        outputTokens(parameters.get("max_new_tokens"), "parameters.max_new_tokens"),
        arrival);
  }

  /** SGLang: {@code {"text", "sampling_params": {"max_new_tokens"}, "stream"}}. */
  private Generation sglang(JsonNode body, Arrival arrival) {
    return generation(
        new SglangFormat(arrival.requestNumber()),
        body.path("stream").asBoolean(false),
        new int[] {promptTokens(body, "text")},
        outputTokens(
            body.path("sampling_params").get("max_new_tokens"), "sampling_params.max_new_tokens"),
        arrival);
  }

  /**
   * Triton: {@code /v2/models/<model>/generate[_stream]} with {@code {"text_input", "max_tokens"}};
   * the route, not the body, says whether the answer streams.
   */
  private Generation triton(String path, JsonNode body, Arrival arrival) {
    String route = path.substring(TRITON_PREFIX.length());
    int slash = route.indexOf('/');
    String action = slash < 0 ? "" : route.substring(slash + 1);
    if (slash <= 0 || !(action.equals("generate") || action.equals("generate_stream"))) {
      throw new RequestException(
          HttpResponseStatus.NOT_FOUND, "not_found_error", "no route POST " + path);
    }
    return generation(
        new TritonFormat(route.substring(0, slash)),
        action.equals("generate_stream"),
        new int[] {promptTokens(body, "text_input")},
        outputTokens(body.get("max_tokens"), "max_tokens"),
        arrival);
  }

  /** OpenAI embeddings: {@code {"model", "input"}}, never streamed, no tokens generated. */
  private Generation embeddings(JsonNode body, Arrival arrival) {
    JsonNode model = body.get("model");
    return generation(
        new EmbeddingsFormat(
            model != null && model.isTextual() ? model.textValue() : config.modelName()),
        false,
        new int[] {promptTokens(body, "input")},
        0,
        arrival);
  }

  /** The tokens of the prompt in the string field {@code field}. */
  private int promptTokens(JsonNode body, String field) {
    JsonNode prompt = body.get(field);
    if (prompt == null || !prompt.isTextual()) {
      throw RequestException.invalid("'" + field + "' must be a string");
    }
    return config.tokenizer().countTokens(prompt.textValue());
  }

  /** Settles the request's seed, and from it the fault and stalls it will suffer. */
  private Generation generation(
      ResponseFormat format,
      boolean stream,
      int[] promptTokens,
      int outputTokens,
      Arrival arrival) {
    long requestNumber = arrival.requestNumber();
    long seed = requestSeed(requestNumber);
    return new Generation(
        format,
        stream,
        promptTokens,
        outputTokens,
        seed,
        requestNumber,
        arrival.requestId(),
        arrival.receivedNanos(),
        injections.fault(requestNumber, seed, stream),
        injections.stalls(requestNumber, seed));
  }

  private int[] simplePromptTokens(JsonNode text, boolean stream) {
    Tokenizer tokenizer = config.tokenizer();
    if (text.isTextual()) {
      return new int[] {tokenizer.countTokens(text.textValue())};
    }
    if (!text.isArray() || text.isEmpty()) {
      throw RequestException.invalid("'text' must be a string or a non-empty list of strings");
    }
    if (stream) {
      throw RequestException.invalid("a list of prompts cannot be streamed");
    }
    int[] promptTokens = new int[text.size()];
    for (int i = 0; i < promptTokens.length; i++) {
      JsonNode prompt = text.get(i);
      if (!prompt.isTextual()) {
        throw RequestException.invalid("'text' must be a string or a non-empty list of strings");
      }
      promptTokens[i] = tokenizer.countTokens(prompt.textValue());
    }
    return promptTokens;
  }

  /** The config's fixed length wins; then the request's maximum; then the config's default. */
  private int outputTokens(JsonNode requested, String field) {
    if (config.fixedOutputTokens() != null) {
      return config.fixedOutputTokens();
    }
    if (requested == null || requested.isNull()) {
      return config.defaultOutputTokens();
    }
    if (!requested.isIntegralNumber()
        || !requested.canConvertToInt()
        || requested.intValue() < 1
        || requested.intValue() > MAX_OUTPUT_TOKENS) {
      throw RequestException.invalid(
          "'"
              + field
              + "' must be an integer from 1 to "
              + MAX_OUTPUT_TOKENS
              + ", got "
              + requested);
    }
    return requested.intValue();
  }

  /**
   * Each request gets its own generator, so concurrent requests share no state and a request's
   * latencies and text depend only on the server seed and the request's arrival number.
   */
  private long requestSeed(long requestNumber) {
    return new SplittableRandom(config.seed() + requestNumber * GOLDEN_GAMMA).nextLong();
  }

  private static JsonNode parseObject(ByteBuf content) {
    JsonNode body;
    try {
      body = MockJson.MAPPER.readTree(new ByteBufInputStream(content.duplicate()));
    } catch (JsonProcessingException e) {
      throw RequestException.invalid("the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw RequestException.invalid("the body cannot be read: " + e.getMessage());
    }
    if (body == null || !body.isObject()) {
      throw RequestException.invalid("the body must be a JSON object");
    }
    return body;
  }
}
