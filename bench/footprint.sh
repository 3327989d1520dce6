#!/usr/bin/env bash
# What one servebench process holds, for sizing shards (docs/scale-out.md, "Sizing"):
#
#   1. per open stream: servebench against the mock with N streams open at once (tokens 1 s
#      apart, so each stays open while it is measured), for each N in STREAM_COUNTS: the live heap
#      (the total of `jcmd GC.class_histogram`, which collects first), the process's RSS and the
#      kernel's TCP buffer pages, then the slope over N;
#   2. per record: a run of MERGE_REQUESTS short requests as 2 local shards (`run --processes 2`),
#      the records files' bytes per record, then `servebench merge` of those shards again, timed
#      (/usr/bin/time: peak RSS) with the launcher's ZGC and with the Serial collector, whose heap
#      after each collection (-Xlog:gc) bounds what the merge keeps live.
#
#   bench/footprint.sh
#   STREAM_COUNTS="2000 8000 16000" MERGE_REQUESTS=1000000 bench/footprint.sh
#
# Knobs (env): STREAM_COUNTS (1000 4000 8000 12000; each N needs N file descriptors in the client
# and in the mock: `ulimit -n`), OPEN_RATE (streams opened per second, 2000), MERGE_REQUESTS
# (200000), MERGE_RATE (4000), STREAM_JAVA_OPTS (the streaming client's JVM flags, e.g. -Xmx512m:
# without a bound ZGC grows the heap, and so the RSS, well past what is live), KEEP (1: keep the work folder). Prints one table; the figures are
# this host's, so give them with its date and load.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
sb="$root/servebench"
stream_counts="${STREAM_COUNTS:-1000 4000 8000 12000}"
open_rate="${OPEN_RATE:-2000}"
merge_requests="${MERGE_REQUESTS:-200000}"
merge_rate="${MERGE_RATE:-4000}"

work="$(mktemp -d /tmp/servebench-footprint.XXXXXX)"
cleanup() {
  local pid
  for pid in $(jobs -p); do kill -9 "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
log() { echo "[footprint] $*" >&2; }

max_fds="$(ulimit -n)"
for n in $stream_counts; do
  if [ "$max_fds" != unlimited ] && [ "$n" -gt $((max_fds - 500)) ]; then
    echo "footprint: $n streams need more file descriptors than ulimit -n ($max_fds) allows" >&2
    exit 2
  fi
done
"$sb" --version >/dev/null # builds the jar and the start-up archive when needed

mock_pid=""; mock_port=""
start_mock() { # start_mock FLAGS...: the mock on a free port, in mock_pid / mock_port
  "$sb" mock-server --port 0 "$@" >"$work/mock.log" 2>&1 &
  mock_pid=$!
  mock_port=""
  for _ in $(seq 1 150); do
    mock_port="$(grep -oE 'http://[0-9.]+:[0-9]+' "$work/mock.log" | head -1 | sed 's/.*://' || true)"
    [ -n "$mock_port" ] && return 0
    sleep 0.2
  done
  echo "footprint: the mock did not start:" >&2; cat "$work/mock.log" >&2; exit 1
}
stop_mock() { kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; }
sockets() { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l; }
tcp_pages() { awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) }' /proc/net/sockstat; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# --- 1. per open stream ----------------------------------------------------------------------
rows=()
for n in $stream_counts; do
  start_mock --ttft-ms 0 --itl-ms 1000 --output-tokens 120
  tcp_before="$(tcp_pages)"
  SERVEBENCH_JAVA_OPTS="${STREAM_JAVA_OPTS:-}" \
    "$sb" run --model-endpoint-base "http://127.0.0.1:$mock_port" --model-name gpt2 \
    --tokenizer r50k_base --dataset-format Synthesis --input-len-mean 64 --input-len-stddev 0 \
    --num-prompts "$n" --request-rate "$open_rate" --max-concurrency "$n" --stream --quiet \
    --no-server-metrics --results-dir "$work/streams-$n" >"$work/streams-$n.out" 2>&1 &
  client=$!
  deadline=$((SECONDS + 60 + n / open_rate * 2))
  while [ "$(sockets "$client")" -lt "$n" ]; do
    if [ "$SECONDS" -gt "$deadline" ] || ! kill -0 "$client" 2>/dev/null; then
      echo "footprint: $n streams did not open (client sockets: $(sockets "$client"))" >&2
      cat "$work/streams-$n.out" >&2; exit 1
    fi
    sleep 0.5
  done
  sleep 3 # every stream past its first chunk
  # The jcmd of the JDK the launcher chose (the client's own java), not whichever is on the PATH.
  jcmd="$(dirname "$(readlink -f "/proc/$client/exe")")/jcmd"
  live_bytes="$("$jcmd" "$client" GC.class_histogram | awk '$1 == "Total" { print $3 }')"
  rss="$(rss_kb "$client")"
  tcp_after="$(tcp_pages)"
  open="$(sockets "$client")"
  log "$n streams: $open sockets, live heap $((live_bytes / 1024)) KiB, RSS $rss KiB, kernel TCP pages +$((tcp_after - tcp_before))"
  rows+=("$n $open $live_bytes $rss $((tcp_after - tcp_before))")
  kill -9 "$client" 2>/dev/null || true; wait "$client" 2>/dev/null || true
  stop_mock
done

# --- 2. per record, and the merge --------------------------------------------------------------
start_mock --ttft-ms 0 --itl-ms 0 --output-tokens 2
log "$merge_requests requests at $merge_rate req/s as 2 local shards"
"$sb" run --model-endpoint-base "http://127.0.0.1:$mock_port" --model-name gpt2 \
  --tokenizer r50k_base --dataset-format Synthesis --input-len-mean 16 --input-len-stddev 0 \
  --num-prompts "$merge_requests" --request-rate "$merge_rate" --stream --quiet \
  --no-server-metrics --processes 2 --results-dir "$work/shards" >"$work/shards.out" 2>&1 \
  || { echo "footprint: the sharded run failed:" >&2; tail -20 "$work/shards.out" >&2; exit 1; }
stop_mock
launch="$(find "$work/shards" -maxdepth 1 -type d -name 'shards-*' | head -1)"
record_bytes=0; record_lines=0
while IFS= read -r file; do
  record_bytes=$((record_bytes + $(stat -c %s "$file")))
  record_lines=$((record_lines + $(wc -l <"$file")))
done < <(find "$launch" -name '*-records.jsonl')
merge_run() { # merge_run NAME JAVA_OPTS: peak RSS (KiB) and wall seconds of one merge, logged
  SERVEBENCH_JAVA_OPTS="$2" /usr/bin/time -f '%M %e' -o "$work/$1.time" \
    "$sb" merge "$launch" -o "$work/$1" >"$work/$1.out" 2>&1 \
    || { echo "footprint: merge ($1) failed:" >&2; tail -20 "$work/$1.out" >&2; exit 1; }
}
merge_run merge-zgc ""
merge_run merge-serial "-XX:+UseSerialGC -Xlog:gc:file=$work/merge-gc.log"
# The Serial collector's "Pause ... 120M->80M(300M)": the largest heap after a collection.
serial_after_mb="$(grep -oE '[0-9]+M->[0-9]+M' "$work/merge-gc.log" | sed 's/.*->//; s/M//' | sort -n | tail -1)"

# --- the table -----------------------------------------------------------------------------------
echo
echo "Footprint ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$sb" --version 2>/dev/null), the launcher's ZGC)"
printf '%-10s %-8s %-14s %-12s %-16s\n' streams sockets "live heap MiB" "RSS MiB" "kernel TCP MiB"
for row in "${rows[@]}"; do
  read -r n open live rss tcp <<<"$row"
  awk -v n="$n" -v o="$open" -v l="$live" -v r="$rss" -v t="$tcp" \
    'BEGIN { printf "%-10d %-8d %-14.1f %-12.1f %-16.1f\n", n, o, l / 1048576, r / 1024, t * 4096 / 1048576 }'
done
printf '%s\n' "${rows[@]}" | awk '
  { n[NR] = $1; l[NR] = $3; r[NR] = $4 * 1024; t[NR] = $5 * 4096 }
  END {
    if (NR < 2) exit
    # least-squares slope over the points: bytes per stream
    for (i = 1; i <= NR; i++) { sn += n[i]; sl += l[i]; sr += r[i]; st += t[i] }
    mn = sn / NR
    for (i = 1; i <= NR; i++) {
      d = n[i] - mn; sxx += d * d
      sxl += d * (l[i] - sl / NR); sxr += d * (r[i] - sr / NR); sxt += d * (t[i] - st / NR)
    }
    printf "per stream (slope): live heap %.1f KiB, RSS %.1f KiB, kernel TCP buffers %.1f KiB (both ends on loopback)\n",
      sxl / sxx / 1024, sxr / sxx / 1024, sxt / sxx / 1024
  }'
echo "records: $record_lines lines, $record_bytes bytes on disk, $((record_bytes / (record_lines > 0 ? record_lines : 1))) bytes per line"
read -r zgc_rss zgc_s <"$work/merge-zgc.time"
read -r serial_rss serial_s <"$work/merge-serial.time"
echo "merge of $record_lines lines: ZGC (the launcher's) peak RSS $((zgc_rss / 1024)) MiB in ${zgc_s} s;" \
  "Serial peak RSS $((serial_rss / 1024)) MiB in ${serial_s} s, largest heap after a collection ${serial_after_mb:-?} MiB"
