/**
 * The built-in mock LLM server: {@link dev.servebench.mock.MockServer}, configured by {@link
 * dev.servebench.mock.MockServerConfig}.
 *
 * <p>Routes:
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions} and {@code POST /v1/completions}: OpenAI-compatible, as
 *       vLLM answers them (streamed as server-sent events when {@code "stream": true}; usage in a
 *       last event with empty {@code choices} only when {@code stream_options.include_usage}).
 *   <li>{@code GET /v1/models}: lists the configured model name.
 *   <li>{@code POST} to any other path: LLM-on-Ray's simple protocol ({@code text}, {@code config},
 *       {@code stream}); raw text when streamed, a transformers- or vLLM-shaped JSON result when
 *       not.
 * </ul>
 *
 * <p>Every response generates exactly the output length it reports, in tokens of the configured
 * tokenizer, and spaces its tokens by the configured TTFT and inter-token latency. A malformed body
 * gets 400 with an OpenAI-style error object; an unknown {@code GET} route gets 404.
 */
package dev.servebench.mock;
