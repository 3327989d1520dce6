package dev.servebench.mock;

/**
 * What every connection of one server shares, built once at start.
 *
 * @param tokensPerChunk tokens of chunk 0, 1, 2, ... of a stream, cycled
 * @param reasoningTokens how many leading tokens of a chat stream are reasoning
 * @param cutWords stream events cut inside words ({@link MockServerConfig#cutWords})
 * @param scheduler which requests run and which wait ({@link CapacitySpec})
 */
record MockRuntime(
    MockRouter router,
    OutputVocabulary vocabulary,
    LatencyModel latencies,
    MockCounters counters,
    ServerStallGate stallGate,
    WriteLog writeLog,
    int[] tokensPerChunk,
    int reasoningTokens,
    boolean cutWords,
    SequenceScheduler scheduler) {}
