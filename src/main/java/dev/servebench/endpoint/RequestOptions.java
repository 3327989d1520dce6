package dev.servebench.endpoint;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * The generation settings every request of a run carries. A {@code null} setting is left out of the
 * request so the server's default applies; a zero is sent as zero (the original script dropped
 * {@code --temperature 0} and {@code --top_k 0} by testing truthiness).
 *
 * @param modelName the model named in OpenAI requests and in the simple endpoint's route
 * @param stream whether to ask for a streamed response
 * @param temperature sampling temperature, or {@code null}
 * @param topP nucleus sampling mass, or {@code null}
 * @param topK top-k sampling, or {@code null}
 * @param doSample the simple endpoint's {@code do_sample}, or {@code null}
 * @param ignoreEos ask a vLLM-backed server to generate exactly the requested length ({@code
 *     --vllm-engine})
 * @param continuousUsage ask an OpenAI stream for running token counts in every event ({@code
 *     stream_options.continuous_usage_stats}, vLLM), so each chunk's token count is the server's
 * @param extraBody merged into every body ({@code --extra-body}); its members win over these
 */
public record RequestOptions(
    String modelName,
    boolean stream,
    Double temperature,
    Double topP,
    Integer topK,
    Boolean doSample,
    boolean ignoreEos,
    boolean continuousUsage,
    ExtraBody extraBody) {

  public RequestOptions {
    extraBody = extraBody == null ? ExtraBody.NONE : extraBody;
  }

  /** Options without an extra body. */
  public RequestOptions(
      String modelName,
      boolean stream,
      Double temperature,
      Double topP,
      Integer topK,
      Boolean doSample,
      boolean ignoreEos,
      boolean continuousUsage) {
    this(
        modelName,
        stream,
        temperature,
        topP,
        topK,
        doSample,
        ignoreEos,
        continuousUsage,
        ExtraBody.NONE);
  }

  /** The same options with this extra body. */
  public RequestOptions withExtraBody(ExtraBody extra) {
    return new RequestOptions(
        modelName, stream, temperature, topP, topK, doSample, ignoreEos, continuousUsage, extra);
  }

  /**
   * Writes the sampling fields both protocols name alike ({@code temperature}, {@code top_p},
   * {@code top_k}, {@code ignore_eos}) into the object being written; each only when set, and only
   * where the extra body does not give the field.
   */
  void writeSampling(JsonGenerator json, ExtraBody.Merge extra) throws IOException {
    if (temperature != null && extra.own("temperature")) {
      json.writeNumberField("temperature", temperature);
    }
    if (topP != null && extra.own("top_p")) {
      json.writeNumberField("top_p", topP);
    }
    if (topK != null && extra.own("top_k")) {
      json.writeNumberField("top_k", topK);
    }
    if (ignoreEos && extra.own("ignore_eos")) {
      json.writeBooleanField("ignore_eos", true);
    }
  }
}
