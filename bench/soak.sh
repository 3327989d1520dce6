#!/usr/bin/env bash
# Soak: a long mixed-fault run against the mock server, to show that nothing is lost and memory
# stays flat. Not part of the unit tests. Usage:
#   bench/soak.sh                 # 30 minutes at 200 req/s with about 5 % injected faults
#   DURATION=2m RATE=100 bench/soak.sh
# Prints: requests sent, succeeded, failed by reason, records on disk, heap after GC at the start
# and at the end of the run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${DURATION:-30m}"
rate="${RATE:-200}"
heap="${HEAP:-256m}"
work="$(mktemp -d)"
trap 'kill ${mock_pid:-} ${run_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT

"$here/servebench" --version >/dev/null # builds the jar if needed
jcmd_bin="$(dirname "$(readlink -f "$(ls -d /usr/lib/jvm/*/bin/jcmd | tail -1)")")/jcmd"

# About 5 % of requests get a fault, of every kind a soak should survive.
"$here/servebench" mock-server --port 0 --ttft-ms 20 --itl-ms 5 --output-tokens 20 --io-threads 1 \
  --fault http_500@1% --fault http_429:1@0.5% --fault http_503_html@0.5% \
  --fault reset_after_tokens:3@0.5% --fault sse_error_event:2@0.5% --fault malformed_json:2@0.5% \
  --fault end_without_done@0.5% --fault close_before_headers@0.5% --fault never_answer@0.25% \
  --fault close_idle_keepalive:5@0.25% >"$work/mock.out" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/mock.out" && break; sleep 0.1; done
base="$(grep -o 'http://[0-9.:]*' "$work/mock.out" | head -1)"
echo "soak: mock server at $base; servebench for $duration at $rate req/s, -Xmx$heap"

SERVEBENCH_JAVA_OPTS="-Xmx$heap" "$here/servebench" run --model-endpoint-base "$base" --model-name mock-model \
  --tokenizer r50k_base --dataset-format Synthesis --num-prompts 2000 --input-len-mean 64 --stream \
  --request-rate "$rate" --duration "$duration" --ttft-timeout 2 --timeout 10 \
  --results-dir "$work/results" >"$work/run.out" 2>"$work/run.err" &
run_pid=$!

heap_after_gc() { # heap in use right after a full GC of the servebench process, in KiB
  local pid
  pid="$(pgrep -f "servebench.jar run .*$base" | head -1)"
  "$jcmd_bin" "$pid" GC.run >/dev/null
  "$jcmd_bin" "$pid" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i + 1); exit}}'
}
seconds() { local d="$1"; case "$d" in *h) echo $(( ${d%h} * 3600 ));; *m) echo $(( ${d%m} * 60 ));; *s) echo "${d%s}";; *) echo "$d";; esac; }
total_s="$(seconds "$duration")"
sleep 20
heap_start="$(heap_after_gc)"
sleep $(( total_s > 40 ? total_s - 40 : 1 ))
heap_end="$(heap_after_gc)"
set +e
wait "$run_pid"
run_exit=$?
set -e
run_pid=

summary="$(ls "$work"/results/*-summary.json)"
records="$(ls "$work"/results/*-records.jsonl)"
python3 - "$summary" "$records" "$heap_start" "$heap_end" "$run_exit" <<'PY'
import json, sys
summary, records, heap_start, heap_end, run_exit = sys.argv[1:]
s = json.load(open(summary))
r = s["requests"]
with open(records) as f:
    lines = f.read().splitlines()
request_lines = sum(1 for line in lines if line.startswith('{"record":"request"'))
print(f"requests sent:        {s['client']['sent_requests']}")
print(f"succeeded:            {r['succeeded']}")
print(f"failed:               {r['failed']}")
for reason, count in sorted(r["failures_by_reason"].items()):
    print(f"  {reason:<20}{count}")
print(f"cancelled:            {r['cancelled']}")
print(f"records on disk:      {request_lines} request lines (+ header and closing line: {len(lines)} lines)")
print(f"totals add up:        {r['succeeded'] + r['failed'] + r['cancelled'] == s['client']['sent_requests'] == request_lines}")
print(f"heap after GC, start: {heap_start}")
print(f"heap after GC, end:   {heap_end}")
print(f"achieved send rate:   {s['throughput']['achieved_send_rate_per_s']:.2f} req/s (configured {s['throughput']['configured_rate_per_s']})")
print(f"servebench exit code: {run_exit} (3 = some requests failed, as injected)")
PY
