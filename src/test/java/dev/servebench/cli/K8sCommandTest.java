package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.run.KubernetesJob;
import dev.servebench.testing.Cli;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code servebench k8s}: the printed Job, its submission to fabric8's mock API server. */
@EnableKubernetesMockClient(crud = true)
class K8sCommandTest {

  KubernetesMockServer server;
  KubernetesClient client;

  private static final String[] RUN_FLAGS = {
    "--model-endpoint-base", "http://vllm.default.svc:8000", "--num-prompts", "90"
  };

  @Test
  void printsTheJobAsYamlStartingAfterTheDelay() {
    Instant before = Instant.now();
    Cli.Result result =
        Cli.run(
            concat(
                new String[] {"k8s", "--shards", "3", "--name", "b1", "--start-delay", "90s", "--"},
                RUN_FLAGS));
    Instant after = Instant.now();

    assertThat(result.exitCode()).as(result.err()).isZero();
    Job job = Serialization.unmarshal(result.out(), Job.class);
    assertThat(job.getMetadata().getName()).isEqualTo("b1");
    assertThat(job.getSpec().getCompletions()).isEqualTo(3);
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("servebench:latest");
    assertThat(job.getSpec().getTemplate().getSpec().getVolumes().get(0).getEmptyDir()).isNotNull();
    Instant startAt =
        Instant.parse(job.getMetadata().getAnnotations().get(KubernetesJob.START_AT_ANNOTATION));
    assertThat(startAt)
        .isBetween(before.plusSeconds(90).minusMillis(1), after.plusSeconds(90).plusMillis(1));
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand().get(2))
        .contains("--start-at " + startAt);
  }

  @Test
  void printsTheJobAsJsonWithOutputJson() {
    Cli.Result result =
        Cli.run(
            concat(
                new String[] {"k8s", "--shards", "2", "--name", "j1", "-o", "json", "--"},
                RUN_FLAGS));

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("{").endsWith("}\n");
    Job job = Serialization.unmarshal(result.out(), Job.class);
    assertThat(job.getMetadata().getName()).isEqualTo("j1");
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .containsSubsequence("--num-prompts", "90");
  }

  @Test
  void outputWithApplyIsRefused() {
    Cli.Result result =
        Cli.run(
            concat(
                new String[] {"k8s", "--shards", "2", "--apply", "-o", "json", "--"}, RUN_FLAGS));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--output").contains("--apply");
  }

  @Test
  void anUnknownOutputFormatExitsTwoNamingTheChoices() {
    Cli.Result result =
        Cli.run(concat(new String[] {"k8s", "--shards", "2", "-o", "xml", "--"}, RUN_FLAGS));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--output").contains("yaml").contains("json");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void applyCreatesTheJobInTheKubeconfigsNamespace(@TempDir Path dir) throws Exception {
    Path kubeconfig = kubeconfig(dir, "bench");

    Cli.Result result =
        Cli.run(
            concat(
                new String[] {
                  "k8s",
                  "--apply",
                  "--kubeconfig",
                  kubeconfig.toString(),
                  "--shards",
                  "3",
                  "--name",
                  "b2",
                  "--results-pvc",
                  "servebench-results",
                  "--"
                },
                RUN_FLAGS));

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("kubectl -n bench get job b2 -w");
    Job stored = client.batch().v1().jobs().inNamespace("bench").withName("b2").get();
    assertThat(stored).isNotNull();
    assertThat(stored.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(stored.getSpec().getParallelism()).isEqualTo(3);
    assertThat(stored.getSpec().getBackoffLimit()).isZero();
    assertThat(
            stored
                .getSpec()
                .getTemplate()
                .getSpec()
                .getVolumes()
                .get(0)
                .getPersistentVolumeClaim()
                .getClaimName())
        .isEqualTo("servebench-results");
    assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).hasSize(1);
  }

  @Test
  void applyWithWaitPrintsTheEndedJobsShards(@TempDir Path dir) throws Exception {
    Path kubeconfig = kubeconfig(dir, "bench");
    CompletableFuture<Cli.Result> running =
        CompletableFuture.supplyAsync(
            () ->
                Cli.run(
                    concat(
                        new String[] {
                          "k8s",
                          "--apply",
                          "--wait",
                          "--kubeconfig",
                          kubeconfig.toString(),
                          "-n",
                          "other",
                          "--shards",
                          "2",
                          "--name",
                          "b3",
                          "--"
                        },
                        RUN_FLAGS)));
    Job created = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (created == null && System.nanoTime() < deadline && !running.isDone()) {
      created = client.batch().v1().jobs().inNamespace("other").withName("b3").get();
      Thread.onSpinWait();
    }
    assertThat(created).as("the job is created").isNotNull();
    for (int index = 0; index < 2; index++) {
      client
          .pods()
          .inNamespace("other")
          .resource(
              new io.fabric8.kubernetes.api.model.PodBuilder()
                  .withNewMetadata()
                  .withName("b3-" + index + "-abcde")
                  .addToLabels(KubernetesJob.JOB_LABEL, "b3")
                  .addToAnnotations(
                      "batch.kubernetes.io/job-completion-index", String.valueOf(index))
                  .endMetadata()
                  .withNewStatus()
                  .withPhase(index == 0 ? "Succeeded" : "Failed")
                  .endStatus()
                  .build())
          .create();
    }
    created.setStatus(
        new JobStatusBuilder()
            .withFailed(1)
            .withSucceeded(1)
            .withConditions(new JobConditionBuilder().withType("Failed").withStatus("True").build())
            .build());
    client.batch().v1().jobs().inNamespace("other").resource(created).updateStatus();

    Cli.Result result = running.get(60, TimeUnit.SECONDS);

    assertThat(result.exitCode()).as(result.err()).isEqualTo(6);
    assertThat(result.out().lines().toList())
        .containsExactly(
            "shard 1/2  b3-0-abcde  Succeeded", "shard 2/2  b3-1-abcde  Failed", "job b3: failed");
    assertThat(result.err()).contains("servebench merge /results/b3 -o DIR");
  }

  @Test
  void badFlagsExitTwo() {
    for (List<String> args :
        List.of(
            List.of("k8s", "--shards", "0", "--", "--num-prompts", "9"),
            List.of("k8s", "--shards", "2", "--", "--shard", "1/2"),
            List.of("k8s", "--shards", "2", "--", "--start-at", "2026-01-01T00:00:00Z"),
            List.of("k8s", "--shards", "2", "--", "--results-dir", "x"),
            List.of("k8s", "--shards", "2", "--", "--processes", "2"),
            List.of("k8s", "--shards", "2", "--", "--no-such-flag"),
            List.of("k8s", "--shards", "2", "--wait", "--", "--num-prompts", "9"),
            List.of("k8s", "--shards", "2", "--image", "", "--", "--num-prompts", "9"),
            List.of("k8s", "--shards", "2", "--start-delay", "soon"),
            List.of("k8s", "--shards", "2", "--name", "Not_A_Name"))) {
      Cli.Result result = Cli.run(args.toArray(String[]::new));
      assertThat(result.exitCode()).as(args + ": " + result.err()).isEqualTo(2);
      assertThat(result.err()).as(String.join(" ", args)).doesNotContain("Exception", "\tat ");
    }
  }

  @Test
  void aMissingKubeconfigIsBadInput(@TempDir Path dir) {
    Cli.Result result =
        Cli.run("k8s", "--apply", "--kubeconfig", dir.resolve("none").toString(), "--shards", "1");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--kubeconfig");
  }

  private Path kubeconfig(Path dir, String namespace) throws Exception {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
            insecure-skip-tls-verify: true
        contexts:
        - name: mock
          context:
            cluster: mock
            user: mock
            namespace: %s
        current-context: mock
        users:
        - name: mock
          user:
            token: test
        """
            .formatted(server.url("/"), namespace));
    return file;
  }

  private static String[] concat(String[] first, String[] second) {
    String[] all = new String[first.length + second.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }
}
