package dev.servebench.endpoint;

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
 * @param ignoreEos ask a vLLM-backed server to generate exactly the requested length ({@code --vllm-engine})
 */
public record RequestOptions(
    String modelName,
    boolean stream,
    Double temperature,
    Double topP,
    Integer topK,
    Boolean doSample,
    boolean ignoreEos) {}
