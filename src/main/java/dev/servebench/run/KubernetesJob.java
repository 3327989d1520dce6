package dev.servebench.run;

import dev.servebench.error.InvalidInputException;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code servebench k8s}: the plan as a Kubernetes Indexed Job of N pods, each running one shard
 * ({@code run --shard I/N}, I being the pod's {@code JOB_COMPLETION_INDEX} plus one, since the
 * index counts from 0 and a shard from 1), all from one {@code --start-at}, each writing into
 * {@code /results/<job>/shard-I-of-N/} on the results volume, which {@code servebench merge} reads
 * afterwards. A failed pod is not retried ({@code backoffLimit: 0}): a second try would send its
 * share of the plan again, after the others, and the merge names the missing shard instead.
 *
 * <p>The image runs {@code sh} and has {@code servebench} on its {@code PATH} (the Jib image of
 * deploy/k8s does).
 */
public final class KubernetesJob {

  /** Where the results volume is mounted in each pod. */
  public static final String RESULTS_MOUNT = "/results";

  /** The label every pod of a servebench Job carries, with the Job's name. */
  public static final String JOB_LABEL = "servebench.dev/job";

  /** The annotation that records the shards' common start (RFC 3339). */
  public static final String START_AT_ANNOTATION = "servebench.dev/start-at";

  /**
   * Most shards (pods): an index of at most 4 digits keeps the pods' names within 63 characters.
   */
  public static final int MAX_SHARDS = 10_000;

  /**
   * A Job's name: a DNS label of at most 52 characters, so that its pods' names ({@code
   * <job>-<index>-<5 chars>}) stay within 63 for any index below {@link #MAX_SHARDS}.
   */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?");

  /** A PersistentVolumeClaim's name: a DNS subdomain. */
  private static final Pattern CLAIM_NAME = Pattern.compile("[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?");

  /** Flags the Job sets per shard itself: the user's run flags must not carry them. */
  private static final Set<String> PER_SHARD_FLAGS =
      Set.of(
          "--processes", "--shard", "--start-at", "--start_at", "--results-dir", "--results_dir");

  /**
   * What each pod asks of its node: CPU and memory as Kubernetes quantities ({@code 2}, {@code
   * 1500m}, {@code 2Gi}), each null to leave it unset. Each is set as request and limit alike, so a
   * pod has it whole rather than sharing its node's spare capacity (Guaranteed when both are set):
   * a shard that competes for CPU stamps its chunks late. With memory, the JVM's heap is the memory
   * less {@link #NON_HEAP_MIB}, given to the image's launcher in {@code SERVEBENCH_JAVA_OPTS};
   * without it the JVM takes a quarter of what it sees.
   */
  public record Resources(String cpu, String memory) {

    /** No requests or limits: the pods share their nodes as the cluster's defaults say. */
    public static final Resources NONE = new Resources(null, null);

    /**
     * What the JVM uses beside its heap (code, metaspace, threads, native buffers): a process at
     * 12,000 open streams held 308 MB with a 384 MiB heap (bench/README.md, Footprint).
     */
    public static final long NON_HEAP_MIB = 256;

    /** The least memory a pod may be given: {@link #NON_HEAP_MIB} and as much heap again. */
    public static final long MIN_MEMORY_MIB = 2 * NON_HEAP_MIB;

    /** The most: 16 TiB, past any node's memory (and far from a heap size that overflows). */
    public static final long MAX_MEMORY_MIB = 16L << 20;

    public Resources {
      if (cpu != null && !(amount("--cpu", cpu).signum() > 0)) {
        throw new InvalidInputException(
            "--cpu " + cpu + " is not positive: give whole CPUs, e.g. 2");
      }
      if (memory != null
          && amount("--memory", memory).compareTo(BigDecimal.valueOf(MAX_MEMORY_MIB << 20)) > 0) {
        throw new InvalidInputException(
            "--memory " + memory + " is more than a node has: give at most 16Ti");
      }
      if (memory != null
          && amount("--memory", memory).compareTo(BigDecimal.valueOf(MIN_MEMORY_MIB << 20)) < 0) {
        throw new InvalidInputException(
            "--memory "
                + memory
                + " is too little: give at least "
                + MIN_MEMORY_MIB
                + "Mi ("
                + NON_HEAP_MIB
                + " MiB for the JVM beside its heap, and a heap as large)");
      }
    }

    /** The heap the JVM is given, in MiB: the memory less {@link #NON_HEAP_MIB}; -1 if unset. */
    public long heapMib() {
      if (memory == null) {
        return -1;
      }
      return amount("--memory", memory).toBigInteger().longValueExact() / (1 << 20) - NON_HEAP_MIB;
    }

    private static BigDecimal amount(String flag, String quantity) {
      try {
        return Quantity.getAmountInBytes(new Quantity(quantity));
      } catch (RuntimeException e) {
        throw new InvalidInputException(
            flag
                + " '"
                + quantity
                + "' is not a Kubernetes quantity: give e.g. "
                + (flag.equals("--cpu") ? "2 or 4" : "2Gi or 1500Mi"));
      }
    }
  }

  /**
   * One Job.
   *
   * @param name the Job's name (a DNS label of at most 52 characters)
   * @param image the container image, with servebench on its {@code PATH}
   * @param shards how many shards (pods), at least 1
   * @param startAt the common start of every shard's plan
   * @param resultsPvc a PersistentVolumeClaim mounted at {@link #RESULTS_MOUNT}, or null for an
   *     emptyDir, whose files are gone with the pod
   * @param runArguments the user's {@code run} flags, without the per-shard ones
   * @param resources what each pod asks of its node
   */
  public record Spec(
      String name,
      String image,
      int shards,
      Instant startAt,
      String resultsPvc,
      List<String> runArguments,
      Resources resources) {

    /** A Job whose pods ask for no particular CPU or memory. */
    public Spec(
        String name,
        String image,
        int shards,
        Instant startAt,
        String resultsPvc,
        List<String> runArguments) {
      this(name, image, shards, startAt, resultsPvc, runArguments, Resources.NONE);
    }

    public Spec {
      if (!NAME.matcher(name).matches()) {
        throw new InvalidInputException(
            "--name '"
                + name
                + "' is not a valid Job name: use at most 52 lower-case letters, digits and '-',"
                + " starting and ending with a letter or digit");
      }
      if (image.isBlank()) {
        throw new InvalidInputException(
            "--image is empty: give the servebench image, e.g. --image servebench:latest");
      }
      if (shards < 1 || shards > MAX_SHARDS) {
        throw new InvalidInputException(
            "--shards " + shards + " is out of range: give 1 to " + MAX_SHARDS);
      }
      if (resultsPvc != null && !CLAIM_NAME.matcher(resultsPvc).matches()) {
        throw new InvalidInputException(
            "--results-pvc '"
                + resultsPvc
                + "' is not a valid claim name: use lower-case letters, digits, '-' and '.'");
      }
      runArguments = List.copyOf(runArguments);
      resources = resources == null ? Resources.NONE : resources;
      for (String argument : runArguments) {
        int equals = argument.indexOf('=');
        String flag = equals > 0 ? argument.substring(0, equals) : argument;
        if (PER_SHARD_FLAGS.contains(flag)) {
          throw new InvalidInputException(
              flag
                  + " is set by the Job for each shard: leave it out of the run flags after --"
                  + " (use --shards and --start-delay of k8s instead)");
        }
      }
    }

    /** The directory of shard {@code i}'s results in a pod ({@code i} from 1). */
    public String shardDir(String i) {
      return RESULTS_MOUNT + "/" + name + "/shard-" + i + "-of-" + shards;
    }
  }

  private KubernetesJob() {}

  /**
   * The Job of {@code spec}: Indexed, {@code completions} = {@code parallelism} = the shards,
   * {@code backoffLimit} 0, pods never restarted, the results volume mounted at {@link
   * #RESULTS_MOUNT}.
   */
  public static Job build(Spec spec) {
    Volume results =
        spec.resultsPvc() == null
            ? new VolumeBuilder().withName("results").withNewEmptyDir().endEmptyDir().build()
            : new VolumeBuilder()
                .withName("results")
                .withNewPersistentVolumeClaim()
                .withClaimName(spec.resultsPvc())
                .endPersistentVolumeClaim()
                .build();
    List<String> command = new ArrayList<>(List.of("sh", "-c", script(spec), "servebench"));
    command.addAll(spec.runArguments());
    Map<String, String> labels =
        Map.of("app.kubernetes.io/name", "servebench", JOB_LABEL, spec.name());
    return new JobBuilder()
        .withNewMetadata()
        .withName(spec.name())
        .withLabels(labels)
        .withAnnotations(
            Map.of(START_AT_ANNOTATION, spec.startAt().truncatedTo(ChronoUnit.MILLIS).toString()))
        .endMetadata()
        .withNewSpec()
        .withCompletionMode("Indexed")
        .withCompletions(spec.shards())
        .withParallelism(spec.shards())
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName("servebench")
        .withImage(spec.image())
        .withCommand(command)
        .withResources(resources(spec.resources()))
        .withEnv(environment(spec.resources()))
        .addNewVolumeMount()
        .withName("results")
        .withMountPath(RESULTS_MOUNT)
        .endVolumeMount()
        .endContainer()
        .withVolumes(results)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static ResourceRequirements resources(Resources resources) {
    if (resources.cpu() == null && resources.memory() == null) {
      return null;
    }
    Map<String, Quantity> amounts = new LinkedHashMap<>();
    if (resources.cpu() != null) {
      amounts.put("cpu", new Quantity(resources.cpu()));
    }
    if (resources.memory() != null) {
      amounts.put("memory", new Quantity(resources.memory()));
    }
    return new ResourceRequirementsBuilder().withRequests(amounts).withLimits(amounts).build();
  }

  private static List<EnvVar> environment(Resources resources) {
    if (resources.memory() == null) {
      return List.of();
    }
    return List.of(new EnvVar("SERVEBENCH_JAVA_OPTS", "-Xmx" + resources.heapMib() + "m", null));
  }

  /**
   * The shell script each pod runs, its arguments ({@code "$@"}) being the user's run flags: the
   * shard from the pod's index, the common start, the shard's results directory. Every shard but
   * the first leaves the server's metrics to shard 1, as {@link LocalShards} does.
   */
  static String script(Spec spec) {
    String startAt = spec.startAt().truncatedTo(ChronoUnit.MILLIS).toString();
    StringBuilder script = new StringBuilder();
    script.append("i=$((JOB_COMPLETION_INDEX + 1)); ");
    // Scraping is on by default (a run probes <host>/metrics), so shards 2 to N are always told
    // not to, whether or not the flags name --server-metrics.
    script.append("if [ \"$i\" != 1 ]; then set --");
    for (String argument : LocalShards.notScraping(spec.runArguments())) {
      script.append(' ').append(shellQuote(argument));
    }
    script.append("; fi; ");
    script
        .append("exec servebench run --shard \"$i/")
        .append(spec.shards())
        .append("\" --start-at ")
        .append(startAt)
        .append(" --results-dir \"")
        .append(spec.shardDir("$i"))
        .append("\" \"$@\"");
    return script.toString();
  }

  /** {@code text} as one word of {@code sh}: in single quotes, each quote closed and escaped. */
  static String shellQuote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  /** The Job as YAML, as {@code kubectl apply -f} takes it. */
  public static String yaml(Job job) {
    return Serialization.asYaml(job);
  }

  /** The Job as JSON, as {@code kubectl apply -f} and {@code jq} take it. */
  public static String json(Job job) {
    return Serialization.asJson(job);
  }

  /** Creates {@code job} in {@code namespace}; returns it as the API server stored it. */
  public static Job create(KubernetesClient client, String namespace, Job job) {
    return client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
  }

  /** Whether the Job has ended: its Complete or Failed condition is true. */
  public static boolean finished(Job job) {
    return job != null && (hasCondition(job, "Complete") || hasCondition(job, "Failed"));
  }

  /** Whether the Job's condition {@code type} is true. */
  public static boolean hasCondition(Job job, String type) {
    JobStatus status = job.getStatus();
    if (status == null || status.getConditions() == null) {
      return false;
    }
    for (JobCondition condition : status.getConditions()) {
      if (type.equals(condition.getType()) && "True".equals(condition.getStatus())) {
        return true;
      }
    }
    return false;
  }

  /** Waits until the Job has ended, at most {@code timeout}; returns it as it was then. */
  public static Job awaitFinished(
      KubernetesClient client, String namespace, String name, Duration timeout) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(name)
        .waitUntilCondition(KubernetesJob::finished, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * One line per pod of the Job, by shard: its shard ({@code I/N}), name, phase and, for an ended
   * container, its exit code.
   */
  public static List<String> podStatuses(
      KubernetesClient client, String namespace, String name, int shards) {
    List<Pod> pods =
        new ArrayList<>(
            client.pods().inNamespace(namespace).withLabel(JOB_LABEL, name).list().getItems());
    pods.sort(Comparator.comparingInt(KubernetesJob::completionIndex));
    List<String> lines = new ArrayList<>();
    for (Pod pod : pods) {
      int index = completionIndex(pod);
      String shard = index < 0 ? "?" : String.valueOf(index + 1);
      String phase = pod.getStatus() == null ? "Unknown" : pod.getStatus().getPhase();
      StringBuilder line =
          new StringBuilder("shard " + shard + "/" + shards + "  " + pod.getMetadata().getName());
      line.append("  ").append(phase == null ? "Unknown" : phase);
      if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
        pod.getStatus().getContainerStatuses().stream()
            .filter(s -> s.getState() != null && s.getState().getTerminated() != null)
            .findFirst()
            .ifPresent(
                s ->
                    line.append(" (exit ")
                        .append(s.getState().getTerminated().getExitCode())
                        .append(')'));
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /** The pod's completion index, from its annotation, or -1 when it has none. */
  static int completionIndex(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String index =
        annotations == null ? null : annotations.get("batch.kubernetes.io/job-completion-index");
    try {
      return index == null ? -1 : Integer.parseInt(index);
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }
}
