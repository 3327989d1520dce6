package dev.servebench.record;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
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
 * @param client the machine and runtime that sent the requests, or {@code null} when not known (a
 *     records file from before it was kept)
 */
public record RunInfo(
    String runId,
    String toolVersion,
    Instant startedAt,
    double configuredRatePerSecond,
    Map<String, Object> configuration,
    Client client) {

  /** A run whose client is not known (tests, rehearsals, old records files). */
  public RunInfo(
      String runId,
      String toolVersion,
      Instant startedAt,
      double configuredRatePerSecond,
      Map<String, Object> configuration) {
    this(runId, toolVersion, startedAt, configuredRatePerSecond, configuration, null);
  }

  /**
   * The client's machine and runtime, so that a report says what produced its figures: a loaded or
   * small client shows in its latencies.
   *
   * @param javaVersion the JVM's version ({@code java.version})
   * @param javaVm the JVM's name and vendor
   * @param os operating system name, version and architecture
   * @param cpuModel the processor's model name, or {@code null} where the system does not say
   * @param cores cores the client could use
   * @param memoryBytes the machine's physical memory, or -1 when unknown
   * @param maxHeapBytes the most heap the JVM may use
   */
  public record Client(
      String javaVersion,
      String javaVm,
      String os,
      String cpuModel,
      int cores,
      long memoryBytes,
      long maxHeapBytes) {

    /** The running JVM and the machine it runs on. */
    public static Client current() {
      OperatingSystemMXBean system = ManagementFactory.getOperatingSystemMXBean();
      long memoryBytes =
          system instanceof com.sun.management.OperatingSystemMXBean withMemory
              ? withMemory.getTotalMemorySize()
              : -1;
      return new Client(
          System.getProperty("java.version"),
          System.getProperty("java.vm.name") + " (" + System.getProperty("java.vm.vendor") + ")",
          String.format(
              Locale.ROOT,
              "%s %s %s",
              System.getProperty("os.name"),
              System.getProperty("os.version"),
              System.getProperty("os.arch")),
          processorModel(),
          Runtime.getRuntime().availableProcessors(),
          memoryBytes,
          Runtime.getRuntime().maxMemory());
    }

    /** Linux names the processor in /proc/cpuinfo; elsewhere it stays unknown. */
    private static String processorModel() {
      Path cpuinfo = Path.of("/proc/cpuinfo");
      if (!Files.isReadable(cpuinfo)) {
        return null;
      }
      try {
        List<String> lines = Files.readAllLines(cpuinfo);
        for (String line : lines) {
          if (line.startsWith("model name") && line.indexOf(':') > 0) {
            return line.substring(line.indexOf(':') + 1).strip();
          }
        }
      } catch (IOException | RuntimeException unreadable) {
        // Only a label: a report without it is still whole.
      }
      return null;
    }
  }
}
