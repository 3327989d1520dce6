package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A results directory whose disk fills up mid-run: the console report is still printed (it is made
 * in memory), the summary is tried and its fate said, the records file ends at its last whole line,
 * exit 5. The full disk is a 256 KiB tmpfs, which only root may mount: elsewhere the test is
 * skipped.
 */
class DiskFullTest {

  @TempDir Path directory;

  @Test
  void aFullDiskStopsTheRunWithItsReportAndWholeRecords() throws Exception {
    Path disk = directory.resolve("small-disk");
    Files.createDirectories(disk);
    assumeTrue(command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.toString()) == 0);
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder().ttftMillis(0).itlMillis(0).modelName("gpt2").build())) {
      Cli.Result result =
          Cli.runSynthetic(
              server.baseUrl(),
              disk,
              "--num-prompts",
              "2000",
              "--input-len-mean",
              "8",
              "--output-len-mean",
              "64",
              "--max-concurrency",
              "32",
              "--drain-timeout",
              "5");
      assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.IO_ERROR);
      assertThat(result.out())
          .contains("Serving Benchmark Result")
          .contains("Successful requests:");
      assertThat(result.err())
          .contains("cannot write")
          .contains("The report above counts every request")
          .contains("ending at its last whole line");
      Path records;
      try (Stream<Path> files = Files.list(disk)) {
        records =
            files.filter(f -> f.toString().endsWith("-records.jsonl")).findFirst().orElseThrow();
      }
      byte[] bytes = Files.readAllBytes(records);
      assertThat(bytes).isNotEmpty();
      assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '\n');
      List<String> lines = Files.readAllLines(records, StandardCharsets.UTF_8);
      ObjectMapper mapper = new ObjectMapper();
      for (String line : lines) {
        // Whole lines only: requests, and the scrapes of the mock's /metrics.
        assertThat(mapper.readTree(line).path("record").asText())
            .isIn("run", "request", "server_metrics");
      }
      assertThat(lines.size()).isGreaterThan(1).isLessThan(2001);
    } finally {
      command("umount", disk.toString());
    }
  }

  private static int command(String... args) throws IOException, InterruptedException {
    try {
      Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor();
    } catch (IOException notHere) {
      return -1;
    }
  }
}
