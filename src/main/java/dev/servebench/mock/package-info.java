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
 * tokenizer, and spaces its tokens by the configured {@link dev.servebench.mock.LatencySpec}. A
 * malformed body gets 400 with an OpenAI-style error object; an unknown {@code GET} route gets 404.
 *
 * <p>For accuracy tests the server's timing is ground truth: scripted latencies, chunks of several
 * tokens, reasoning tokens, usage placement, per-request {@link dev.servebench.mock.Stall}s and
 * server-wide {@link dev.servebench.mock.ServerStall}s, and a write log ({@link
 * dev.servebench.mock.MockServer#writeLog()}) of when each chunk was actually written. For
 * robustness tests it injects {@link dev.servebench.mock.Fault}s chosen by {@link
 * dev.servebench.mock.FaultSpec}s and counts them.
 */
package dev.servebench.mock;
