#!/usr/bin/env bash
# Builds the Jib image and runs the Job that `servebench k8s` renders as local containers, one per
# shard, against the mock server on this host; then merges the shards and checks that together
# they sent the whole plan. A check of the image and of the pods' command without a cluster: what
# it does not exercise is the scheduler, the volume and clocks on several nodes.
#
# Needs a container engine that runs containers (podman or docker) and python3. Settings, from
# the environment:
#   ENGINE       the engine's command with its global flags (default: podman, else docker)
#   ENGINE_RUN   extra flags for `ENGINE run` (e.g. `--ulimit nproc=4096:4096` where the engine
#                may not raise a limit)
#   BASE         the base image, in Jib's spelling (default: the pom's eclipse-temurin:21-jre,
#                from its registry; `tar:///path/base.tar` for a `docker save` archive)
#   SHARDS       how many shards (default 2); PROMPTS, RATE: the plan (default 200 at 40 req/s)
#   K8S_FLAGS    more flags of `servebench k8s` (default `--cpu 1 --memory 768Mi`)
#   LIMITS       1 (default): each container gets the pod's CPU and memory limits (`--cpus`,
#                `--memory`), so the launcher sees its CPU limit and the heap must fit; 0 where the
#                engine cannot set limits (no cgroup controllers)
# Exit status: 0 when the merged run holds every request of the plan, else 1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
shards="${SHARDS:-2}"; prompts="${PROMPTS:-200}"; rate="${RATE:-40}"
tag="servebench:check-$(date -u +%Y%m%d%H%M%S)"

if [ -n "${ENGINE:-}" ]; then engine="$ENGINE"
elif command -v podman >/dev/null 2>&1; then engine=podman
elif command -v docker >/dev/null 2>&1; then engine=docker
else echo "check-image: no container engine: install podman (apt-get install podman) or docker" >&2; exit 1
fi
command -v python3 >/dev/null 2>&1 || { echo "check-image: python3 is needed to read the Job" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/servebench-image-check.XXXXXX")"
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi
  # shellcheck disable=SC2046
  $engine rm -f $(cat "$work/containers" 2>/dev/null) >/dev/null 2>&1 || true
  $engine rmi "$tag" >/dev/null 2>&1 || true
  rm -f "$work/image.tar"
}
trap cleanup EXIT

echo "check-image: building $tag with Jib${BASE:+ on $BASE}" >&2
./servebench --version >/dev/null # builds the jar (and finds a JDK 21+) when needed
mvn -B -q -Pjib compile jib:buildTar -Dimage="$tag" ${BASE:+-Djib.from.image="$BASE"} \
  -Djib.outputPaths.tar="$work/image.tar"
$engine load -q -i "$work/image.tar" >/dev/null

./servebench mock-server --port 0 --ttft-ms 20 --itl-ms 5 --output-tokens 16 >"$work/mock.log" 2>&1 &
mock_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(grep -oE 'http://[0-9.]+:[0-9]+' "$work/mock.log" | head -1 | sed 's/.*://' || true)"
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || { echo "check-image: the mock server did not start:" >&2; cat "$work/mock.log" >&2; exit 1; }

job="check-$(date -u +%H%M%S)"
# shellcheck disable=SC2086
./servebench k8s --shards "$shards" --image "$tag" --name "$job" --start-delay 30s -o json \
  ${K8S_FLAGS---cpu 1 --memory 768Mi} -- \
  --model-endpoint-base "http://127.0.0.1:$port" --model-name mock-model --tokenizer r50k_base \
  --dataset-format Synthesis --num-prompts "$prompts" --request-rate "$rate" --seed 7 --stream \
  --quiet >"$work/job.json"

# Each pod as Kubernetes would start it: the container's command in place of the image's
# entrypoint, its environment and JOB_COMPLETION_INDEX set, the results volume at /results; the
# host's network, where the mock listens.
mkdir -p "$work/results"
python3 - "$work/job.json" >"$work/pod" <<'EOF'
import json, shlex, sys
job = json.load(open(sys.argv[1]))
container = job["spec"]["template"]["spec"]["containers"][0]
assert container["volumeMounts"][0]["mountPath"] == "/results"
print(container["image"])
print(" ".join(shlex.quote(word) for word in container["command"]))
print(" ".join(shlex.quote("--env=%s=%s" % (e["name"], e["value"])) for e in container.get("env", [])))
limits = (container.get("resources") or {}).get("limits") or {}
flags = []
if "cpu" in limits:
    cpu = limits["cpu"]
    flags.append("--cpus=%g" % (int(cpu[:-1]) / 1000 if cpu.endswith("m") else float(cpu)))
if "memory" in limits:
    flags.append("--memory=%s" % limits["memory"].replace("Gi", "g").replace("Mi", "m").replace("Ki", "k"))
print(" ".join(shlex.quote(flag) for flag in flags))
EOF
image="$(sed -n 1p "$work/pod")"
eval "environment=($(sed -n 3p "$work/pod"))"
limits=()
if [ "${LIMITS:-1}" = 1 ]; then eval "limits=($(sed -n 4p "$work/pod"))"; fi
volume="$work/results:/results"
if command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled; then volume="$volume:z"; fi
eval "set -- $(sed -n 2p "$work/pod")"
: >"$work/containers"
for ((index = 0; index < shards; index++)); do
  # shellcheck disable=SC2086
  $engine run -d --network host ${ENGINE_RUN:-} ${environment[@]+"${environment[@]}"} \
    ${limits[@]+"${limits[@]}"} -e JOB_COMPLETION_INDEX="$index" \
    -v "$volume" --entrypoint "$1" "$image" "${@:2}" >>"$work/containers"
done
status=0
index=0
while read -r id; do
  index=$((index + 1))
  code="$($engine wait "$id")"
  $engine logs "$id" >"$work/shard-$index.log" 2>&1 || true
  echo "check-image: shard $index of $shards exited $code" >&2
  [ "$code" = 0 ] || { status=1; cat "$work/shard-$index.log" >&2; }
done <"$work/containers"

./servebench merge "$work/results/$job" -o "$work/merged" >"$work/merge.log" 2>&1 \
  || { status=1; cat "$work/merge.log" >&2; }
python3 - "$work/merged" "$prompts" <<'EOF' || status=1
import glob, json, sys
found = glob.glob(sys.argv[1] + "/*summary*.json")
if not found:
    sys.exit("check-image: the merge wrote no summary")
requests = json.load(open(found[0]))["requests"]
print("check-image: merged: %d requests, %d succeeded, %d failed (the plan: %s)"
      % (requests["total"], requests["succeeded"], requests["failed"], sys.argv[2]), file=sys.stderr)
if requests["succeeded"] != int(sys.argv[2]) or requests["failed"]:
    sys.exit("check-image: the shards did not send the whole plan")
EOF
echo "check-image: results in $work" >&2
exit "$status"
