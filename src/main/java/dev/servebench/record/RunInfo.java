package dev.servebench.record;

import java.time.Instant;
import java.util.Map;

/**
 * What a run was: written as the first line of its records file, so a report rebuilt from the file
 * alone knows the settings and the configured rate.
 *
 * @param runId the run's name, unique per results directory
 * @param toolVersion the servebench version that made the run
 * @param startedAt wall-clock time of the run's start (the anchor of every nanosecond offset)
 * @param configuredRatePerSecond the configured request rate ({@code Infinity} for all at once)
 * @param configuration the run's settings by flag name (no secrets), for the summary
 */
public record RunInfo(
    String runId,
    String toolVersion,
    Instant startedAt,
    double configuredRatePerSecond,
    Map<String, Object> configuration) {}
