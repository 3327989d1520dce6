package dev.servebench.cli;

import dev.servebench.config.DurationParser;
import dev.servebench.error.ExitCode;
import dev.servebench.error.InvalidInputException;
import dev.servebench.error.UnreachableEndpointException;
import dev.servebench.run.KubernetesJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code servebench k8s}: the plan's shards as a Kubernetes Indexed Job, printed or submitted. */
@Command(
    name = "k8s",
    mixinStandardHelpOptions = true,
    description =
        "Prints (or with --apply submits) a Kubernetes Indexed Job of N pods, each running one"
            + " shard of the plan (run --shard I/N) from a common start, its results written to"
            + " /results/JOB/shard-I-of-N on the results volume; merge them afterwards with"
            + " 'servebench merge'. The run's flags follow '--'.",
    footer = {
      "",
      "Examples:",
      "  servebench k8s --shards 4 --image registry.example.com/servebench:0.1.0 \\",
      "      --results-pvc servebench-results -- \\",
      "      --model-endpoint-base http://vllm.default.svc:8000 --tokenizer cl100k_base \\",
      "      --dataset-format Random --num-prompts 2000 --request-rate 40 --stream",
      "  servebench k8s --apply --wait --shards 4 --results-pvc servebench-results -- ...",
      "",
      "deploy/k8s/README.md: the image (Jib), the volume, watching the Job, the merge."
    })
final class K8sCommand implements Callable<Integer> {

  private static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Option(
      names = "--shards",
      paramLabel = "N",
      required = true,
      description = "How many shards, one pod each (1 to 10,000).")
  int shards;

  @Option(
      names = "--image",
      paramLabel = "IMAGE",
      defaultValue = "servebench:latest",
      description =
          "The container image, with sh and servebench on its PATH (default: ${DEFAULT-VALUE},"
              + " the Jib build of deploy/k8s).")
  String image;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The Job's name (default: servebench-<yyyyMMdd-HHmmss>, UTC).")
  String name;

  @Option(
      names = "--start-delay",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description =
          "From now to the shards' common start (--start-at): time for the scheduler, the image"
              + " pulls and each JVM's start (default: ${DEFAULT-VALUE}). A shard that is not"
              + " ready by then says how late it was.")
  String startDelay;

  @Option(
      names = "--results-pvc",
      paramLabel = "CLAIM",
      description =
          "A PersistentVolumeClaim mounted at /results in every pod (ReadWriteMany when the"
              + " pods may land on several nodes). Without it an emptyDir, gone with its pod:"
              + " copy each shard's results out before the pod is deleted.")
  String resultsPvc;

  @Option(
      names = "--cpu",
      paramLabel = "CPU",
      description =
          "CPU each pod asks for, as request and limit (a Kubernetes quantity: 2, 4): a shard"
              + " competing for CPU stamps its chunks late. Give whole CPUs: a fractional limit"
              + " throttles the JVM's threads every 100 ms period. Default: none asked.")
  String cpu;

  @Option(
      names = "--memory",
      paramLabel = "MEMORY",
      description =
          "Memory each pod asks for, as request and limit (2Gi, 1500Mi; at least 512Mi); the"
              + " JVM's heap is this less 256 MiB. About 10 KiB of heap per open stream"
              + " (docs/scale-out.md, Sizing). Default: none asked.")
  String memory;

  /** How the Job is printed without --apply: both are what {@code kubectl apply -f} takes. */
  enum Format {
    yaml,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "yaml",
      description =
          "How the Job is printed without --apply: ${COMPLETION-CANDIDATES} (default:"
              + " ${DEFAULT-VALUE}).")
  Format output;

  @Option(
      names = "--apply",
      description = "Submit the Job (kubeconfig or in-cluster credentials) instead of printing it.")
  boolean apply;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description = "With --apply: the namespace (default: the kubeconfig's, else 'default').")
  String namespace;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "With --apply: the kubeconfig to use (default: KUBECONFIG, ~/.kube/config or the"
              + " pod's service account).")
  Path kubeconfig;

  @Option(
      names = "--wait",
      description =
          "With --apply: wait for the Job to end and print each shard's pod and its status.")
  boolean waitForJob;

  @Option(
      names = "--wait-timeout",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description = "With --wait: how long to wait at most (default: ${DEFAULT-VALUE}).")
  String waitTimeout;

  @Parameters(
      paramLabel = "RUN_FLAG",
      description =
          "After '--': the flags of 'servebench run' for the whole plan (endpoint, dataset,"
              + " load), without --shard, --start-at, --results-dir and --processes, which the"
              + " Job sets.")
  List<String> runArguments = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    if (!apply && (waitForJob || namespace != null || kubeconfig != null)) {
      throw new InvalidInputException(
          "--wait, --namespace and --kubeconfig apply to a submitted Job: add --apply");
    }
    if (apply && output != Format.yaml) {
      throw new InvalidInputException(
          "--output is how the Job is printed, and --apply submits it instead: give one of them");
    }
    Duration delay = DurationParser.parse("--start-delay", startDelay);
    Duration timeout = DurationParser.parse("--wait-timeout", waitTimeout);
    Instant now = Instant.now();
    KubernetesJob.Spec job =
        new KubernetesJob.Spec(
            name != null ? name : "servebench-" + NAME_TIME.format(now),
            image,
            shards,
            now.plus(delay),
            resultsPvc,
            runArguments,
            new KubernetesJob.Resources(cpu, memory));
    checkRunFlags(job.runArguments());
    Job manifest = KubernetesJob.build(job);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!apply) {
      out.print(
          output == Format.json
              ? KubernetesJob.json(manifest) + "\n"
              : KubernetesJob.yaml(manifest));
      out.flush();
      return ExitCode.OK;
    }
    KubernetesClient client = client();
    try (client) {
      String target =
          namespace != null
              ? namespace
              : client.getNamespace() != null ? client.getNamespace() : "default";
      Job created = KubernetesJob.create(client, target, manifest);
      String jobName = created.getMetadata().getName();
      err.println(
          "servebench: created job "
              + jobName
              + " in namespace "
              + target
              + ": "
              + shards
              + " shards start at "
              + job.startAt()
              + "; each one's results in "
              + job.shardDir("I"));
      err.println(
          "servebench: watch it with: kubectl -n " + target + " get job " + jobName + " -w");
      if (resultsPvc == null) {
        err.println(
            "servebench: the results are on each pod's emptyDir: copy them out (kubectl cp)"
                + " before the pods are deleted, or use --results-pvc");
      }
      err.flush();
      if (!waitForJob) {
        return ExitCode.OK;
      }
      Job ended;
      try {
        ended = KubernetesJob.awaitFinished(client, target, jobName, timeout);
      } catch (KubernetesClientTimeoutException late) {
        err.println(
            "servebench: error: job "
                + jobName
                + " had not ended after --wait-timeout "
                + waitTimeout);
        err.flush();
        return ExitCode.PARTIAL;
      }
      for (String line : KubernetesJob.podStatuses(client, target, jobName, shards)) {
        out.println(line);
      }
      boolean complete = KubernetesJob.hasCondition(ended, "Complete");
      out.println("job " + jobName + ": " + (complete ? "complete" : "failed"));
      out.flush();
      err.println(
          "servebench: merge the shards with: servebench merge "
              + KubernetesJob.RESULTS_MOUNT
              + "/"
              + jobName
              + " -o DIR (in a pod that mounts the results volume; deploy/k8s/README.md)");
      err.flush();
      return complete ? ExitCode.OK : ExitCode.PARTIAL;
    } catch (KubernetesClientTimeoutException timeoutWhileCreating) {
      throw new UnreachableEndpointException(
          "the Kubernetes API did not answer: " + timeoutWhileCreating.getMessage());
    } catch (KubernetesClientException refused) {
      if (refused.getCode() >= 400 && refused.getCode() < 500) {
        throw new InvalidInputException(
            "the Kubernetes API refused the job (HTTP "
                + refused.getCode()
                + "): "
                + refused.getMessage());
      }
      // The client wraps the transport's failure: its innermost cause says what went wrong.
      Throwable cause = refused;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      throw new UnreachableEndpointException(
          "could not reach the Kubernetes API at "
              + client.getMasterUrl()
              + " ("
              + cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
              + "): check the kubeconfig's server, or give --kubeconfig");
    }
  }

  /** The user's run flags are checked as run parses them, before a Job carries a typo to N pods. */
  private static void checkRunFlags(List<String> runArguments) {
    List<String> runLine = new ArrayList<>(List.of("run"));
    runLine.addAll(runArguments);
    try {
      Main.commandLine("run").parseArgs(runLine.toArray(String[]::new));
    } catch (CommandLine.ParameterException wrong) {
      throw new InvalidInputException(
          "the run flags after -- do not parse: "
              + wrong.getMessage()
              + " ('servebench run --help' lists them)");
    }
  }

  private KubernetesClient client() throws IOException {
    if (kubeconfig == null) {
      return new KubernetesClientBuilder().build();
    }
    if (!Files.isReadable(kubeconfig)) {
      throw new InvalidInputException(
          "--kubeconfig " + kubeconfig + " cannot be read: give a kubeconfig file");
    }
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8));
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
