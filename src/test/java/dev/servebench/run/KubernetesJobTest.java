package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Indexed Job of {@code servebench k8s}: its shape, and the script each pod runs. */
class KubernetesJobTest {

  private static final Instant START = Instant.parse("2026-12-05T17:00:00.123Z");

  private static KubernetesJob.Spec spec(String pvc, String... runArguments) {
    return new KubernetesJob.Spec(
        "bench-a", "registry.example/servebench:1", 3, START, pvc, List.of(runArguments));
  }

  @Test
  void jobIsIndexedWithOnePodPerShardAndNoRetry() {
    Job job =
        Serialization.unmarshal(
            KubernetesJob.yaml(KubernetesJob.build(spec("results", "--num-prompts", "90"))),
            Job.class);

    assertThat(job.getMetadata().getName()).isEqualTo("bench-a");
    assertThat(job.getMetadata().getAnnotations())
        .containsEntry(KubernetesJob.START_AT_ANNOTATION, "2026-12-05T17:00:00.123Z");
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getCompletions()).isEqualTo(3);
    assertThat(job.getSpec().getParallelism()).isEqualTo(3);
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(KubernetesJob.JOB_LABEL, "bench-a");
    assertThat(pod.getVolumes()).hasSize(1);
    assertThat(pod.getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
        .isEqualTo("results");
    Container container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("registry.example/servebench:1");
    assertThat(container.getVolumeMounts().get(0).getMountPath()).isEqualTo("/results");
    assertThat(container.getCommand().subList(0, 2)).containsExactly("sh", "-c");
    assertThat(container.getCommand().subList(3, container.getCommand().size()))
        .containsExactly("servebench", "--num-prompts", "90");
  }

  @Test
  void withoutAClaimTheResultsAreOnAnEmptyDir() {
    PodSpec pod = KubernetesJob.build(spec(null)).getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes().get(0).getEmptyDir()).isNotNull();
    assertThat(pod.getVolumes().get(0).getPersistentVolumeClaim()).isNull();
  }

  /**
   * The script, run by a real {@code sh} with a {@code servebench} that prints its arguments, for
   * each completion index: the 1-based shard, the start, the shard's directory, the user's flags as
   * given (quotes and spaces kept), and the server's metrics left to shard 1.
   */
  @Test
  void eachPodRunsItsShardFromItsCompletionIndex(@TempDir Path bin) throws Exception {
    Path fake = bin.resolve("servebench");
    Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    fake.toFile().setExecutable(true);
    List<String> command =
        KubernetesJob.build(spec(null, "--server-metrics", "--label", "it's a b"))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getCommand();

    assertThat(argumentsOf(command, bin, 0))
        .containsExactly(
            "run",
            "--shard",
            "1/3",
            "--start-at",
            "2026-12-05T17:00:00.123Z",
            "--results-dir",
            "/results/bench-a/shard-1-of-3",
            "--server-metrics",
            "--label",
            "it's a b");
    assertThat(argumentsOf(command, bin, 2))
        .containsExactly(
            "run",
            "--shard",
            "3/3",
            "--start-at",
            "2026-12-05T17:00:00.123Z",
            "--results-dir",
            "/results/bench-a/shard-3-of-3",
            "--label",
            "it's a b",
            "--no-server-metrics");
  }

  @Test
  void shardsButTheFirstDoNotScrapeEvenByDefault(@TempDir Path bin) throws Exception {
    Path fake = bin.resolve("servebench");
    Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    fake.toFile().setExecutable(true);
    // No --server-metrics: a run probes <host>/metrics and scrapes it when it answers.
    List<String> command =
        KubernetesJob.build(spec(null, "--num-prompts", "90"))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getCommand();

    assertThat(argumentsOf(command, bin, 0)).doesNotContain("--no-server-metrics");
    assertThat(argumentsOf(command, bin, 1)).endsWith("--num-prompts", "90", "--no-server-metrics");
  }

  private static List<String> argumentsOf(List<String> command, Path bin, int index)
      throws Exception {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
    builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    builder.environment().put("JOB_COMPLETION_INDEX", String.valueOf(index));
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().toList();
  }

  @Test
  void flagsTheJobSetsItselfAreRefused() {
    for (String flag : List.of("--shard", "--start-at", "--results-dir", "--processes")) {
      assertThatThrownBy(() -> spec(null, flag, "2"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(flag);
    }
    assertThatThrownBy(() -> spec(null, "--results_dir=/x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--results_dir");
  }

  @Test
  void badNamesAndCountsAreRefused() {
    assertThatThrownBy(() -> new KubernetesJob.Spec("Bench", "i", 1, START, null, List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--name");
    assertThatThrownBy(() -> new KubernetesJob.Spec("b", "i", 0, START, null, List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--shards 0");
    assertThatThrownBy(() -> new KubernetesJob.Spec("b", " ", 1, START, null, List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--image");
    assertThatThrownBy(() -> new KubernetesJob.Spec("b", "i", 1, START, "Bad_Claim", List.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--results-pvc");
  }

  @Test
  void cpuAndMemoryAreRequestAndLimitAndTheHeapLeavesRoomBesideIt() {
    Job job =
        KubernetesJob.build(
            new KubernetesJob.Spec(
                "bench-r",
                "i",
                2,
                START,
                null,
                List.of(),
                new KubernetesJob.Resources("1500m", "2Gi")));
    Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);

    Map<String, Quantity> expected =
        Map.of("cpu", new Quantity("1500m"), "memory", new Quantity("2Gi"));
    assertThat(container.getResources().getRequests()).isEqualTo(expected);
    assertThat(container.getResources().getLimits()).isEqualTo(expected);
    // 2048 MiB less the 256 the JVM needs beside its heap.
    assertThat(container.getEnv())
        .singleElement()
        .satisfies(
            env -> {
              assertThat(env.getName()).isEqualTo("SERVEBENCH_JAVA_OPTS");
              assertThat(env.getValue()).isEqualTo("-Xmx1792m");
            });
  }

  @Test
  void withoutResourcesThePodAsksForNothing() {
    Container container =
        KubernetesJob.build(spec(null)).getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(container.getResources()).isNull();
    assertThat(container.getEnv()).isEmpty();
    assertThat(KubernetesJob.yaml(KubernetesJob.build(spec(null)))).doesNotContain("resources");
  }

  @Test
  void badQuantitiesAreRefusedNamingTheFlag() {
    assertThatThrownBy(() -> new KubernetesJob.Resources("two", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--cpu 'two'");
    assertThatThrownBy(() -> new KubernetesJob.Resources("0", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--cpu 0");
    assertThatThrownBy(() -> new KubernetesJob.Resources(null, "lots"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--memory 'lots'");
    assertThatThrownBy(() -> new KubernetesJob.Resources(null, "256Mi"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--memory 256Mi")
        .hasMessageContaining("512Mi");
    assertThat(new KubernetesJob.Resources(null, "512Mi").heapMib()).isEqualTo(256);
    assertThatThrownBy(() -> new KubernetesJob.Resources(null, "16Ei"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at most 16Ti");
    // Decimal units and fractions: 1G is 953.67 MiB, whole MiB kept.
    assertThat(new KubernetesJob.Resources(null, "1G").heapMib()).isEqualTo(953 - 256);
    assertThat(new KubernetesJob.Resources(null, "1.5Gi").heapMib()).isEqualTo(1536 - 256);
  }
}
