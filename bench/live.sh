#!/usr/bin/env bash
# What the live view costs: servebench's CPU per chunk against the mock with the view off
# (--quiet), as plain lines every second (stderr on a pipe) and as the redrawn block (stderr on a terminal, a
# pseudo-terminal from script(1)), the three alternated ROUNDS times. Mock pinned to one core, the
# client to the other, as in load.sh's CPU row (400 req/s, 100 tokens 2 ms apart).
#
#   bench/live.sh                  # 2 rounds of 8 s runs, about 2 minutes
#   ROUNDS=3 SECONDS_PER_RUN=20 bench/live.sh
#
# Knobs (env): CLIENT_CORE (0), MOCK_CORE (1), ROUNDS (2), SECONDS_PER_RUN (8), RATE (400),
# TOKENS (100), EXTRA_FLAGS, KEEP (keep the work folder). Needs taskset, jq and script (util-linux).
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
client_core="${CLIENT_CORE:-0}"
mock_core="${MOCK_CORE:-1}"
rounds="${ROUNDS:-2}"
seconds="${SECONDS_PER_RUN:-8}"
rate="${RATE:-400}"
tokens="${TOKENS:-100}"
requests=$((rate * seconds))

work="$(mktemp -d /tmp/servebench-live.XXXXXX)"
mock_pid=""
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "work folder kept: $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[live] $*" >&2; }

"$root/servebench" --version >/dev/null # builds the jar and its start-up archive when stale
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
taskset -c "$mock_core" "$java" -XX:+UseZGC -jar "$root/target/servebench.jar" mock-server --port 0 \
  --ttft-ms 0 --itl-ms 2 --output-tokens "$tokens" >"$work/mock.log" 2>&1 &
mock_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(grep -oE 'http://[0-9.]+:[0-9]+' "$work/mock.log" | sed 's/.*://' || true)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/mock.log" >&2; log "the mock server did not start"; exit 1; }

flags=(run --model-endpoint-base "http://127.0.0.1:$port" --model-name mock-model --tokenizer r50k_base
  --dataset-format Synthesis --input-len-mean 32 --input-len-stddev 0 --output-len-mean "$tokens"
  --output-len-stddev 0 --arrival constant --stream --io-threads 1 --request-rate "$rate"
  --prompt-cache "$work/prompt-cache")
# EXTRA_FLAGS: more flags for every run (e.g. --no-server-metrics to leave the mock's /metrics alone).
read -r -a extra <<<"${EXTRA_FLAGS:-}"
flags+=("${extra[@]}")
# The prompts prepared once, and the mock's JIT warmed, before anything is measured.
"$root/servebench" "${flags[@]}" --num-prompts "$requests" --duration 2s --quiet >/dev/null

run() { # mode (quiet, lines, block), round
  local mode="$1" dir="$work/$1-$2"
  mkdir -p "$dir"
  local args=("${flags[@]}" --num-prompts "$requests" --results-dir "$dir")
  case "$mode" in
    quiet) taskset -c "$client_core" "$root/servebench" "${args[@]}" --quiet >"$dir/out.txt" 2>&1 ;;
    lines) taskset -c "$client_core" "$root/servebench" "${args[@]}" --live-interval 1s 2>&1 | cat >"$dir/out.txt" ;;
    block)
      local quoted; quoted="$(printf '%q ' taskset -c "$client_core" "$root/servebench" "${args[@]}")"
      TERM=xterm script -qfec "$quoted" /dev/null >"$dir/out.txt" ;;
  esac
  jq -r '.client.cpu_us_per_chunk' "$dir"/*-summary.json
}

declare -A sum
for mode in quiet lines block; do sum[$mode]=0; done
for round in $(seq 1 "$rounds"); do
  for mode in quiet lines block; do
    us="$(run "$mode" "$round")"
    log "round $round, $mode: $us us per chunk"
    sum[$mode]="$(awk -v a="${sum[$mode]}" -v b="$us" 'BEGIN{print a + b}')"
  done
done
grep -q 'requests      sent' "$work/block-1/out.txt" || log "the block run drew no block: was script's pty a terminal?"
grep -q '\] measuring: sent' "$work/lines-1/out.txt" || log "the lines run printed no line"

echo
echo "live view cost ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, client on core $client_core, mock on core $mock_core, $rate req/s x $tokens tokens, ${seconds} s, $rounds rounds)"
echo "| live view | CPU per chunk, whole run (us, mean of $rounds) | vs --quiet |"
echo "| --- | --- | --- |"
for mode in quiet lines block; do
  mean="$(awk -v s="${sum[$mode]}" -v n="$rounds" 'BEGIN{printf "%.2f", s / n}')"
  base="$(awk -v s="${sum[quiet]}" -v n="$rounds" 'BEGIN{print s / n}')"
  label="$mode"
  [ "$mode" = quiet ] && label="off (--quiet)"
  [ "$mode" = lines ] && label="plain lines every 1 s (stderr a pipe)"
  [ "$mode" = block ] && label="block (stderr a terminal)"
  echo "| $label | $mean | $(awk -v a="$mean" -v b="$base" 'BEGIN{printf "%.2fx", a / b}') |"
done
