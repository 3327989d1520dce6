package dev.servebench.record;

/**
 * What only the live run could measure, written as the records file's closing line.
 *
 * @param interrupted the run was stopped (Ctrl-C, SIGTERM) before its plan was done
 * @param plannedRequests requests the plan held (-1 for a duration-bounded plan)
 * @param sentRequests requests actually sent (each counted once, however often retried)
 * @param peakInFlight the most requests in flight at once
 * @param clientCpuNanos CPU time the whole client process used from the first send to the end
 * @param runWallNanos wall time from the first send to the end
 * @param availableProcessors cores the client could use
 * @param maxConcurrency the configured cap on requests in flight (0 for none)
 * @param ioThreadsCpuWaitNanos time the client's I/O threads were ready to run but waited for a
 *     CPU, from the first send to the end, summed over the threads (-1 where the kernel does not
 *     keep it): their chunk and send stamps are late by the waits that fell on them
 * @param connectionsOpenedAhead connections opened (TLS handshake included) before the first send,
 *     for the plan's first requests, so their set-up is not in those requests' TTFT; -1 when not
 *     known (a records file from before it was kept)
 */
public record RunEnd(
    boolean interrupted,
    long plannedRequests,
    long sentRequests,
    int peakInFlight,
    long clientCpuNanos,
    long runWallNanos,
    int availableProcessors,
    int maxConcurrency,
    long ioThreadsCpuWaitNanos,
    int connectionsOpenedAhead) {}
