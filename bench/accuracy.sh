#!/usr/bin/env bash
# Accuracy: servebench's stamps against the mock server's own log of when it wrote each chunk, at
# 1 and 500 concurrent streams (override: STREAMS=1,100,1000). The mock runs as its own process, as
# a real server would (its own heap, its own collector pauses); both stamp with CLOCK_MONOTONIC, so
# the difference per chunk is all the client adds to TTFT, ITL and E2E. Target: p99 under 1 ms.
# Extra arguments go to `servebench accuracy` (e.g. --requests-per-stream 10).
#   MOCK_CORE=1 CLIENT_CORE=0  where each process runs (taskset); these are the defaults on a machine
#                              of 2 or more cores, as in bench/load.sh (MOCK_CORE= CLIENT_CORE=
#                              leaves both free). Pinned, the two processes never take each other's
#                              core, and the launcher runs the client with the quick JIT compiler
#                              only (its optimizing compiler stalled the I/O thread for ms)
#   IN_PROCESS=1               the mock inside the client's JVM (one heap, one set of pauses)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
streams="${STREAMS:-1,500}"
if [ "${IN_PROCESS:-0}" = 1 ]; then
  exec "$root/servebench" accuracy --streams "$streams" "$@"
fi
pinned() { # args: cores (empty: any), command...; replaces the (sub)shell it runs in, so that a
  # background job's $! is the server's own pid and the trap below stops it
  local cores="$1"; shift
  if [ -z "$cores" ]; then exec "$@"; fi
  command -v taskset >/dev/null || { echo "accuracy.sh: taskset (util-linux) is needed to pin to cores $cores" >&2; exit 2; }
  exec taskset -c "$cores" "$@"
}
if [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
  client_core="${CLIENT_CORE-0}"
  mock_core="${MOCK_CORE-1}"
else
  client_core="${CLIENT_CORE:-}"
  mock_core="${MOCK_CORE:-}"
fi

"$root/servebench" --version >/dev/null # builds the jar if it is stale
log="$(mktemp /tmp/servebench-accuracy-mock.XXXXXX)"
pinned "$mock_core" "$root/servebench" mock-server --port 0 --tokenizer r50k_base \
  --ttft-ms "${TTFT_MS:-20}" --ttft-stddev-ms "${JITTER_MS:-5}" \
  --itl-ms "${ITL_MS:-20}" --itl-stddev-ms "${JITTER_MS:-5}" \
  --record-writes 1000000 >"$log" 2>&1 &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 200); do
  url="$(grep -oE 'http://[0-9.]+:[0-9]+' "$log" || true)"
  [ -n "$url" ] && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "accuracy.sh: the mock server did not start:" >&2; cat "$log" >&2; exit 1; }
echo "mock server (pid $mock_pid, cores ${mock_core:-any}) at $url; client on cores ${client_core:-any}"
(pinned "$client_core" "$root/servebench" accuracy --server "$url" --streams "$streams" "$@")
