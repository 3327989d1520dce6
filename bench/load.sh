#!/usr/bin/env bash
# The end-to-end scenarios of issue 5: servebench and the floor client (bench/FloorClient) against the
# built-in mock server, mock pinned to one core and the client to the other, one table at the end.
#
#   bench/load.sh                 # the full table, about 15 minutes
#   QUICK=1 bench/load.sh         # a smoke pass with short runs (about 4 minutes)
#   ONLY="cpu rate" bench/load.sh # some scenarios: cpu rate short streams ttft cold memory startup
#                                 # sharegpt tokenizers
#
# Knobs (env): CLIENT_CORE (0), MOCK_CORE (1), MOCK_IO_THREADS (1), CPU_SECONDS, RATES, RATES_TWO_CORES
# (the rates tried with servebench on both cores, after the one-core search), RATE_SECONDS,
# RATE_WARMUP_SECONDS (sent first, left out of the lag: the JIT's first seconds), MEM_REQUESTS,
# MEM_RATE, MEM_GC (the memory row's collector, -XX:+UseSerialGC), STREAMS, ACC_WARMUP, ACC_MOCK_JIT
# (the TTFT row's mock JIT flags; default -XX:TieredStopAtLevel=1), CLIENT_JIT
# (servebench's JIT flags; default -XX:TieredStopAtLevel=1, what ./servebench uses on one or two
# cores; empty for the full tiered JIT), CLIENT_GC and MOCK_GC (-XX:+UseZGC, as ./servebench),
# SB_JAVA_OPTS, MOCK_JAVA_OPTS, CLIENT_JAR, CLIENT_CDS (1: servebench with the launcher's class-data
# archive, as ./servebench runs it; 0 without), KEEP (keep the work folder). Every ratio compares
# figures taken in the same run of this script, since on a shared host absolute times vary from
# run to run.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
quick="${QUICK:-0}"
client_core="${CLIENT_CORE:-0}"
mock_core="${MOCK_CORE:-1}"
mock_io_threads="${MOCK_IO_THREADS:-1}"
only="${ONLY:-cpu rate short streams ttft cold memory startup sharegpt tokenizers}"
if [ "$quick" = 1 ]; then
  cpu_seconds="${CPU_SECONDS:-6}"; rate_seconds=3; short_seconds=3; rate_warmup_seconds="${RATE_WARMUP_SECONDS:-2}"
  short_warmup_seconds=1
  rates="${RATES:-300 500 750 1000}"; streams="${STREAMS:-2000}"; rates_two_cores="${RATES_TWO_CORES:-1250 1500}"
  mem_requests="${MEM_REQUESTS:-100000}"
else
  cpu_seconds="${CPU_SECONDS:-30}"; rate_seconds="${RATE_SECONDS:-8}"; short_seconds=10
  rate_warmup_seconds="${RATE_WARMUP_SECONDS:-8}"; short_warmup_seconds=3
  rates="${RATES:-300 400 500 600 750 900 1000 1250 1500}"; streams="${STREAMS:-10000}"
  rates_two_cores="${RATES_TWO_CORES:-1750 2000 2500 3000}"
  mem_requests="${MEM_REQUESTS:-1000000}"
fi
mem_rate="${MEM_RATE:-4000}"

work="$(mktemp -d /tmp/servebench-load.XXXXXX)"
cleanup() {
  local pid
  for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  [ "${KEEP:-0}" = 1 ] && echo "work folder kept: $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[load] $*" >&2; }

# --- build what is missing or stale -----------------------------------------------------------
jar="$root/target/servebench.jar"
benchjar="$bench/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]; then
  log "building servebench"
  (cd "$root" && mvn -B -q -DskipTests install >&2)
fi
if [ ! -f "$benchjar" ] || [ -n "$(find "$bench/src" "$bench/pom.xml" "$jar" -newer "$benchjar" -print -quit)" ]; then
  log "building bench"
  (cd "$root" && mvn -B -q -DskipTests install >&2)
  (cd "$bench" && mvn -B -q package >&2)
fi
java_bin() {
  local home
  for home in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    if [ -n "$home" ] && [ -x "$home/bin/java" ] && \
       "$home/bin/java" -XshowSettings:properties -version 2>&1 | grep -qE 'java.specification.version = (2[1-9]|[3-9][0-9])'; then
      echo "$home/bin/java"; return
    fi
  done
  echo java
}
java="$(java_bin)"
# The servebench jar the client rows run (the mock always runs the built one): CLIENT_JAR=old.jar
# measures another build against the same mock, to compare two builds in one sitting.
client_jar="${CLIENT_JAR:-$jar}"
jvm_opts="--enable-native-access=ALL-UNNAMED"
# The JIT choice ./servebench makes for a client on one or two cores (see the launcher): C1 only.
# CLIENT_JIT= (empty) measures with the full tiered JIT instead.
client_jit="${CLIENT_JIT--XX:TieredStopAtLevel=1}"
# The collector ./servebench picks for both servebench and its mock (see the launcher): ZGC, whose
# pauses stay under a millisecond where a copying young collection of thousands of open streams
# stops either process for far longer. CLIENT_GC= and MOCK_GC= (empty) leave the JVM's choice.
client_gc="${CLIENT_GC--XX:+UseZGC}"
mock_gc="${MOCK_GC--XX:+UseZGC}"
# The mock's JIT in the TTFT row, which times the client against the mock's own stamps: C1 only,
# whose compilations are short. With C2 (what ./servebench keeps for mock-server), the mock's
# compiler takes the mock's one core for milliseconds at a time, and a request arriving then is
# read that much later: counted against the client (bench/README.md, Where the timing rows' spread
# came from). The other rows keep C2: the mock must not be the throughput rows' limit, and in the
# streams row its compiler was quiet in the measured round. ACC_MOCK_JIT= (empty): C2 there too.
acc_mock_jit="${ACC_MOCK_JIT--XX:TieredStopAtLevel=1}"
mock_jit=""
# The class-data archive ./servebench trains for its jar and JDK (see the launcher): without it the
# JVM loads and verifies every class at start, CPU that the whole-process row would count and a
# user's run does not spend (bench/README.md, The table). Only for the built jar (an archive fits
# one jar); CLIENT_CDS=0 runs without it.
client_cds=""
if [ "${CLIENT_CDS:-1}" = 1 ] && [ "$client_jar" = "$jar" ]; then
  "$root/servebench" --version >/dev/null # trains the archive if it is missing or stale
  jdk_version="$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$(dirname "$(dirname "$java")")/release" 2>/dev/null || true)"
  archive="$root/target/servebench-${jdk_version:-jdk}.jsa"
  if [ -f "$archive" ]; then
    client_cds="-Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off -XX:SharedArchiveFile=$archive"
  else
    log "no class-data archive for $java at $archive (the launcher found another JDK?): servebench runs without"
  fi
fi

# --- helpers ----------------------------------------------------------------------------------
ticks_per_s="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now_ns() { date +%s%N; }

mock_pid=""; mock_port=""
start_mock() { # args: extra mock-server flags
  stop_mock
  taskset -c "$mock_core" "$java" $jvm_opts $mock_gc $mock_jit ${MOCK_JAVA_OPTS:-} -jar "$jar" mock-server --port 0 --ttft-ms "${mock_ttft_ms:-0}" \
    --io-threads "$mock_io_threads" "$@" >"$work/mock.log" 2>&1 &
  mock_pid=$!
  for _ in $(seq 1 100); do
    mock_port="$(grep -oE 'http://[0-9.]+:[0-9]+' "$work/mock.log" | sed 's/.*://' || true)"
    if [ -n "$mock_port" ]; then
      # The mock's own JIT would otherwise compete with it on its one core during the first run.
      taskset -c "$client_core" "$java" $jvm_opts -cp "$benchjar" dev.servebench.bench.FloorClient \
        --port "$mock_port" --rate 300 --requests 600 --output-tokens 8 >/dev/null 2>&1 || true
      return
    fi
    sleep 0.1
  done
  cat "$work/mock.log" >&2; log "the mock server did not start"; exit 1
}
stop_mock() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  mock_pid=""
}

# Runs one client command pinned to the client core; sets last_cpu_s (whole process, user+sys),
# last_wall_s and last_mock_pct (the mock's CPU over the same wall time, % of one core).
run_client() { # args: output file, command...
  local out="$1"; shift
  local m0 m1 t0 t1
  m0="$(cpu_ticks "$mock_pid")"; t0="$(now_ns)"
  local status=0
  ( TIMEFORMAT='%U %S'; time taskset -c "${client_cpus:-$client_core}" "$@" >"$out" 2>"$out.err" ) 2>"$out.time" &
  local wrapper=$! pid=""
  while [ -z "$pid" ] && kill -0 "$wrapper" 2>/dev/null; do pid="$(pgrep -P "$wrapper" || true)"; sleep 0.05; done
  if [ -n "${WINDOW:-}" ]; then # "from to" seconds: the client's CPU over that steady window
    local from="${WINDOW% *}" to="${WINDOW#* }" c0 c1
    sleep "$from"; c0="$(cpu_ticks "$pid" 2>/dev/null || echo 0)"
    sleep "$((to - from))"; c1="$(cpu_ticks "$pid" 2>/dev/null || echo 0)"
    last_window_cpu_s="$(awk -v d="$((c1 - c0))" -v hz="$ticks_per_s" 'BEGIN{print d / hz}')"
  fi
  wait "$wrapper" || status=$?
  # servebench exits 3 when the run finished but some requests failed: the figures still count.
  [ "$status" = 0 ] || [ "$status" = 3 ] || { cat "$out.err" >&2; log "client command failed: $*"; return 1; }
  t1="$(now_ns)"; m1="$(cpu_ticks "$mock_pid")"
  last_cpu_s="$(awk '{print $1 + $2}' "$out.time")"
  last_wall_s="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print (b - a) / 1e9}')"
  last_mock_pct="$(awk -v d="$((m1 - m0))" -v hz="$ticks_per_s" -v w="$last_wall_s" 'BEGIN{printf "%.0f", 100 * d / hz / w}')"
}

# servebench's prompts (dataset flags): synthetic 32-token prompts, or the floor's own prompt, an
# IPEX prompt file of plain words the floor client writes. The rate and short rows send the floor's,
# so the mock does the same work for both clients there: counting a prompt of 32 random vocabulary
# tokens costs its tokenizer far more than the floor's plain words (bench/README.md, The table).
synthetic=(--dataset-format Synthesis --input-len-mean 32 --input-len-stddev 0 --output-len-stddev 0)
floor_prompt_chars=160 # the floor's prompt length; the IPEX file keys the prompt by it
"$java" -cp "$benchjar" dev.servebench.bench.FloorClient --prompt-chars "$floor_prompt_chars" \
  --write-ipex-prompt "$work/floor-prompt.json"
floor_prompt=(--dataset-format IPEX --dataset "$work/floor-prompt.json" --model-type floor
  --input-tokens "$floor_prompt_chars")

# servebench run against the mock; the summary JSON path goes to $last_summary.
servebench() { # args: name, extra run flags (the dataset's among them)
  local name="$1"; shift
  local dir="$work/$name"
  mkdir -p "$dir"
  run_client "$dir/console.txt" "$java" $jvm_opts $client_cds $client_jit $client_gc ${SB_JAVA_OPTS:-} -jar "$client_jar" run \
    --model-endpoint-base "http://127.0.0.1:$mock_port" --model-name mock-model --tokenizer r50k_base \
    --arrival constant --stream --io-threads "${sb_io_threads:-1}" --results-dir "$dir" "$@"
  last_summary="$(ls "$dir"/*-summary.json)"
  last_records="$(ls "$dir"/*-records.jsonl)"
}
floor() { # args: name, floor flags
  local name="$1"; shift
  run_client "$work/$name.json" "$java" $jvm_opts -cp "$benchjar" dev.servebench.bench.FloorClient \
    --port "$mock_port" --io-threads 1 --prompt-chars "$floor_prompt_chars" "$@"
  last_floor="$work/$name.json"
}
j() { jq -r "$1" "$2"; }
fmt() { awk -v v="$1" -v d="${2:-2}" 'BEGIN{ if (v == "" || v == "null") print "-"; else printf "%.*f", d, v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b + 0 == 0 || a == "-" || b == "-") print "-"; else printf "%.2fx", a / b }'; }

rows=()
row() { # figure | target | measured | floor | ratio | mock CPU; logged as it comes, in case a later
  # scenario never ends
  rows+=("$1|$2|$3|$4|$5|$6"); log "row: $1: $3 (floor $4, ratio $5)"; }

# --- scenarios --------------------------------------------------------------------------------
scenario_cpu() {
  local rate=400 tokens=100 n=$((400 * cpu_seconds))
  local from=$((cpu_seconds / 3 + 1)) to=$((cpu_seconds * 5 / 6 + 1))
  local window_chunks=$(( (to - from) * rate * tokens ))
  log "cpu: $n requests at $rate req/s, $tokens tokens 2 ms apart; steady window ${from}-${to} s after launch"
  start_mock --itl-ms 2 --output-tokens "$tokens"
  WINDOW="$from $to" floor cpu-floor --rate "$rate" --requests "$n" --output-tokens "$tokens"
  local f_steady f_chunk f_whole f_mock
  f_steady="$(awk -v c="$last_window_cpu_s" -v n="$window_chunks" 'BEGIN{print c * 1e6 / n}')"
  f_chunk="$(j .cpu_us_per_chunk "$last_floor")"
  f_whole="$(awk -v c="$last_cpu_s" -v t="$((n * tokens))" 'BEGIN{print c * 1e6 / t}')"; f_mock="$last_mock_pct"
  # The same prompts prepared first, so the measured run reads them from the prompt cache as a
  # user's second run would, whatever ran on the host before: preparing them in the measured run
  # would add their CPU to the whole-process row.
  servebench cpu-prompts "${synthetic[@]}" --request-rate "$rate" --num-prompts "$n" --output-len-mean "$tokens" --duration 0.2s
  WINDOW="$from $to" servebench cpu "${synthetic[@]}" --request-rate "$rate" --num-prompts "$n" --output-len-mean "$tokens"
  local whole_label="prompts from the cache"
  grep -qs "from the prompt cache" "$work/cpu/console.txt" "$work/cpu/console.txt.err" || whole_label="prompts prepared in the run"
  local s_steady s_chunk s_whole
  s_steady="$(awk -v c="$last_window_cpu_s" -v n="$window_chunks" 'BEGIN{print c * 1e6 / n}')"
  s_chunk="$(j .client.cpu_us_per_chunk "$last_summary")"
  s_whole="$(awk -v c="$last_cpu_s" -v t="$(j .tokens.output_total "$last_summary")" 'BEGIN{print c * 1e6 / t}')"
  row "client CPU per chunk, steady state ($rate req/s, ${from}-${to} s, us)" "<= 1.5x floor" "$(fmt "$s_steady")" "$(fmt "$f_steady")" \
    "$(ratio "$s_steady" "$f_steady")" "$last_mock_pct% (floor run $f_mock%)"
  row "  same run: CPU per chunk over the whole run, JIT included (summary's cpu_us_per_chunk)" "-" "$(fmt "$s_chunk")" "$(fmt "$f_chunk")" \
    "$(ratio "$s_chunk" "$f_chunk")" "-"
  row "whole-process CPU per token, ${cpu_seconds} s at $rate req/s, start-up included, $whole_label (us)" "<= 10" "$(fmt "$s_whole")" "$(fmt "$f_whole")" \
    "$(ratio "$s_whole" "$f_whole")" "-"
  row "  same run: TTFT p99 / ITL p99 (ms)" "-" \
    "$(fmt "$(j .latency_ms.ttft.p99 "$last_summary")") / $(fmt "$(j .latency_ms.itl.p99 "$last_summary")")" \
    "$(fmt "$(j .ttft_p99_ms "$last_floor")") / $(fmt "$(j .read_gap_p99_ms "$last_floor")")" "-" "-"
  stop_mock
}

held() { # achieved, target, lag p99 ms
  awk -v a="$1" -v t="$2" -v l="$3" 'BEGIN{ exit !(a >= 0.99 * t && l < 2) }'
}
scenario_rate() {
  log "rate: highest open-loop rate held, 100-token streams (rates: $rates)"
  start_mock --itl-ms 2 --output-tokens 100
  local best=0 best_floor=0 rate detail="" mock_at_best="-" fdone=0 sdone=0
  for rate in $rates; do
    # The first seconds of each run are warm-up, sent but not in the lag figures: on one core the
    # JIT compiler competes with the event loop for several seconds after start.
    local n=$((rate * rate_seconds)) warm=$((rate * rate_warmup_seconds))
    if [ "$fdone" = 0 ]; then
      floor "rate-floor-$rate" --rate "$rate" --requests "$((n + warm))" --warmup-requests "$warm" --output-tokens 100
      if held "$(j .achieved_send_rate_per_s "$last_floor")" "$rate" "$(j .schedule_lag_p99_ms "$last_floor")"; then
        best_floor=$rate; else fdone=1; fi
    fi
    if [ "$sdone" = 0 ]; then
      servebench "rate-$rate" "${floor_prompt[@]}" --request-rate "$rate" --num-prompts "$n" --warmup-requests "$warm" \
        --max-new-tokens 100
      local a l
      a="$(j .throughput.achieved_send_rate_per_s "$last_summary")"; l="$(j .latency_ms.schedule_lag.p99 "$last_summary")"
      detail="$detail $rate:$(fmt "$a" 0)/$(fmt "$l" 1)ms/$(j .client.cpu_share_of_cores "$last_summary" | awk '{printf "%.0f%%", $1 * 100}')"
      if held "$a" "$rate" "$l"; then best=$rate; mock_at_best="$last_mock_pct%"; else sdone=1; fi
    fi
    [ "$fdone" = 1 ] && [ "$sdone" = 1 ] && break
  done
  row "highest open-loop rate held, 1 core (req/s)" ">= 1500" "$best" "$best_floor" "$(ratio "$best" "$best_floor")" "$mock_at_best"
  row "  rate: achieved/lag p99/client CPU" "-" "${detail# }" "-" "-" "-"
  # "More again when given both cores": servebench on both cores with two I/O threads, from the
  # rates above the one-core search's, while the mock stays on its core (it shares it with the
  # client's second thread). Each rate tried lists achieved / lag p99 / client CPU (% of its two
  # cores) / mock CPU (% of its core): on two cores the mock is the first to run out.
  local best2="-" detail2=""
  client_cpus="$client_core,$mock_core"; sb_io_threads=2
  for rate in $rates_two_cores; do
    local n=$((rate * rate_seconds)) warm=$((rate * rate_warmup_seconds)) a l
    servebench "rate2-$rate" "${floor_prompt[@]}" --request-rate "$rate" --num-prompts "$n" --warmup-requests "$warm" \
      --max-new-tokens 100
    a="$(j .throughput.achieved_send_rate_per_s "$last_summary")"; l="$(j .latency_ms.schedule_lag.p99 "$last_summary")"
    detail2="$detail2 $rate:$(fmt "$a" 0)/$(fmt "$l" 1)ms/$(j .client.cpu_share_of_cores "$last_summary" | awk '{printf "%.0f%%", $1 * 100}')/mock $last_mock_pct%"
    if held "$a" "$rate" "$l"; then best2=$rate; else break; fi
  done
  client_cpus=""; sb_io_threads=1
  row "  given both cores (2 I/O threads, the mock on one of them): highest held above the one-core rates; achieved/lag p99/client CPU/mock CPU" "-" \
    "$best2;${detail2}" "-" "-" "-"
  stop_mock
}

scenario_short() {
  # Warm-up first, sent and left out of the figures as in the rate scenario: from a cold start at
  # 5,000 req/s both JITs (client and mock) compile while requests pile up, the mock falls seconds
  # behind, and thousands of connections are opened before it catches up.
  local rate=5000 n=$((5000 * short_seconds)) warm=$((5000 * short_warmup_seconds))
  log "short: $n requests of 16 tokens at $rate req/s, after $warm warm-up requests"
  start_mock --itl-ms 2 --output-tokens 16
  # The mock's JIT at this rate and shape before either measured run, so the first (the floor's)
  # does not meet a mock still compiling for it; this run's figures are dropped.
  floor short-mock-warmup --rate "$rate" --requests "$warm" --output-tokens 16
  floor short-floor --rate "$rate" --requests "$((n + warm))" --warmup-requests "$warm" --output-tokens 16
  local fa fl fm
  fa="$(j .achieved_send_rate_per_s "$last_floor")"; fl="$(j .schedule_lag_p99_ms "$last_floor")"; fm="$last_mock_pct"
  servebench short "${floor_prompt[@]}" --request-rate "$rate" --num-prompts "$n" --warmup-requests "$warm" \
    --max-new-tokens 16
  local a l
  a="$(j .throughput.achieved_send_rate_per_s "$last_summary")"; l="$(j .latency_ms.schedule_lag.p99 "$last_summary")"
  row "short requests (16 tok) at $rate req/s: achieved (req/s)" ">= 4950" "$(fmt "$a" 0)" "$(fmt "$fa" 0)" "$(ratio "$a" "$fa")" "$last_mock_pct% (floor run $fm%)"
  row "  same run: schedule lag p99 (ms); failed requests" "< 2" "$(fmt "$l"); $(j .requests.failed "$last_summary") failed" "$(fmt "$fl"); $(j .failed "$last_floor") failed" "-" "-"
  stop_mock
}

# servebench's accuracy check against the mock's log of its own writes (`accuracy --server`): per
# chunk, the client's arrival stamp against the server's write stamp, both CLOCK_MONOTONIC. Sets
# acc_* from its result line (ms).
# Its warm-up (short requests, then two full rounds, then waiting for the JIT to go quiet) gets both
# processes' code compiled first, so the first measured round does not run partly interpreted
# (bench/README.md, Why the code is the way it is).
acc_warmup="${ACC_WARMUP:-10000}"
accuracy() { # args: name, accuracy flags
  local name="$1"; shift
  run_client "$work/$name.txt" "$java" $jvm_opts $client_cds $client_jit $client_gc ${SB_JAVA_OPTS:-} -jar "$client_jar" accuracy \
    --server "http://127.0.0.1:$mock_port" --phases warm --warmup-requests "$acc_warmup" "$@"
  local line
  line="$(grep -E '^[0-9]+ +[0-9]+ +[0-9]+ ' "$work/$name.txt" | tail -1)"
  [ -n "$line" ] || { cat "$work/$name.txt" "$work/$name.txt.err" >&2; return 1; }
  # streams requests chunks delay p50 / p99 / max, send p50 / p99, TTFT err p50 / p99,
  # E2E err p50 / p99, ITL err p50 / p99 / max, I/O threads' CPU wait, verdict
  read -r acc_streams acc_requests acc_chunks acc_delay50 _ acc_delay99 _ acc_delaymax \
    acc_send50 _ acc_send99 acc_ttft50 _ acc_ttft99 acc_e2e50 _ acc_e2e99 \
    acc_itl50 _ acc_itl99 _ acc_itlmax acc_iowait acc_verdict <<<"$line"
}

scenario_streams() {
  # Each stream: 10 to 30 tokens 500 ms apart (5 to 15 s), sent at STREAMS/5 per second with at most
  # STREAMS in flight: a first round (one request per stream, left out) opens the connections and
  # fills every slot; the measured round then starts as slots free up, so STREAMS streams stay in
  # flight while it is measured. The error of each ITL sample is the client's gap minus the
  # server's own gap between the same two writes.
  local n="$streams" rate=$((streams / 5)) itl=500
  log "streams: $n concurrent streams, $itl ms gaps, against the mock's write log"
  start_mock --itl-ms "$itl" --output-tokens 20 --record-writes 1000000
  accuracy streams --streams "$n" --request-rate "$rate" --requests-per-stream 1 --output-tokens 20
  row "$n concurrent streams, $itl ms gaps: ITL error p99 (client gap - server's own gap, ms)" "< 2" \
    "$(fmt "$acc_itl99" 3)" "-" "-" "$last_mock_pct%"
  row "  same run: chunk delay p50/p99/max; requests, chunks, token counts equal; client I/O thread's wait for a CPU (ms)" "-" \
    "$acc_delay50 / $acc_delay99 / $acc_delaymax; $acc_requests, $acc_chunks, $acc_verdict; $acc_iowait" "-" "-" "-"
  stop_mock
}

scenario_ttft() {
  # About 1,000 streams at once: 20 to 60 tokens 50 ms apart (1 to 3 s) at 500 req/s, capped at
  # 1,000 in flight, zero TTFT. TTFT error: the client's TTFT (first chunk's arrival - send stamp)
  # minus the server's (first write - the request's first bytes read), so the request's way out and
  # the first chunk's way back.
  local per_stream=$((quick == 1 ? 3 : 6))
  log "ttft: 1000 streams x $per_stream requests at 500 req/s, zero-TTFT mock, against its write log"
  mock_jit="$acc_mock_jit" # see acc_mock_jit
  start_mock --itl-ms 50 --output-tokens 40 --record-writes 1000000
  mock_jit=""
  accuracy ttft --streams 1000 --request-rate 500 --requests-per-stream "$per_stream" --output-tokens 40
  row "TTFT added at 1000 streams, zero-TTFT mock: TTFT error p99 (client TTFT - server's, ms)" "< 1" \
    "$(fmt "$acc_ttft99" 3)" "-" "-" "$last_mock_pct%"
  row "  same run: send delay p50/p99; chunk delay p50/p99; requests, token counts equal; client I/O thread's wait for a CPU (ms)" "-" \
    "$acc_send50 / $acc_send99; $acc_delay50 / $acc_delay99; $acc_requests, $acc_verdict; $acc_iowait" "-" "-" "-"
  stop_mock
}

scenario_memory() {
  local n="$mem_requests" rate="$mem_rate"
  local seconds=$(( (n + rate - 1) / rate ))
  log "memory: $n requests at $rate req/s (${seconds} s), -Xmx512m"
  start_mock --itl-ms 0 --output-tokens 2
  local gclog="$work/memory-gc.log"
  # servebench runs in the background here, so the mock's CPU is taken around it, not by run_client.
  local m0 t0
  m0="$(cpu_ticks "$mock_pid")"; t0="$(now_ns)"
  # Serial here: what the row asks is whether anything per request is retained, and a stop-the-world
  # collector's heap after each collection is exactly what is live then; ZGC's after figure also
  # holds what was allocated during its concurrent cycle, so it moves with the cycle's length
  # (bench/README.md, Earlier on 2026-11-29). MEM_GC= sets another.
  local client_gc="${MEM_GC--XX:+UseSerialGC}"
  SB_JAVA_OPTS="-Xmx512m -Xlog:gc:file=$gclog" servebench memory "${synthetic[@]}" --request-rate "$rate" \
    --duration "${seconds}s" --num-prompts 1000 --output-len-mean 2 &
  local runner=$! rss_peak=0 pid rss
  sleep 2
  pid="$(pgrep -n -f "memory-gc.log" || true)"
  while kill -0 "$runner" 2>/dev/null; do
    if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
      rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
      [ "${rss:-0}" -gt "$rss_peak" ] && rss_peak="$rss"
    fi
    sleep 1
  done
  wait "$runner"
  local mock_pct
  mock_pct="$(awk -v d="$(( $(cpu_ticks "$mock_pid") - m0 ))" -v hz="$ticks_per_s" -v w="$(( $(now_ns) - t0 ))" \
    'BEGIN{printf "%.0f", 100 * d / hz / (w / 1e9)}')"
  last_summary="$(ls "$work/memory"/*-summary.json)"
  local lines total
  lines="$(grep -c '"record":"request"' "$work/memory"/*-records.jsonl)"
  total="$(j .requests.total "$last_summary")"
  # Heap after each GC (MB): the first tenth of the run against the last tenth shows whether it grows.
  local heap
  heap="$(grep -oE '[0-9]+M(\([0-9]+%\))?->[0-9]+M' "$gclog" | sed -E 's/.*->([0-9]+)M/\1/' | awk '
    { v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
      k = int(NR / 10); if (k < 1) k = 1; a = 0; b = 0
      for (i = 1; i <= k; i++) { if (v[i] > a) a = v[i] }
      for (i = NR - k + 1; i <= NR; i++) { if (v[i] > b) b = v[i] }
      m = 0; for (i = 1; i <= NR; i++) if (v[i] > m) m = v[i]
      printf "heap after GC: first 10%% max %d MB, last 10%% max %d MB, max %d MB (%d GCs)", a, b, m, NR }')"
  row "memory: $total requests, -Xmx512m, ${client_gc:-the JVM default collector} ($lines records on disk)" "flat" "$heap; peak RSS $((rss_peak / 1024)) MB" "-" "-" "$mock_pct%"
  row "  same run: achieved rate (req/s) / lag p99 (ms)" "-" \
    "$(fmt "$(j .throughput.achieved_send_rate_per_s "$last_summary")" 0) / $(fmt "$(j .latency_ms.schedule_lag.p99 "$last_summary")")" "-" "-" "-"
  stop_mock
}

scenario_cold() {
  # The first requests of a fresh process: `accuracy --phases cold` starts a new servebench JVM per
  # row (the same flags, archive and jar as this script's client), which sends 1, 10 or 100
  # requests at once with no warm-up to the mock (TTFT 50 ms and ITL 10 ms as in the issue's measurement, warmed first, C1 only as
  # in the TTFT row) and is
  # set against the mock's write log. Rows: TTFT and E2E error p99 and schedule lag p99.
  log "cold: fresh servebench processes, 1 / 10 / 100 requests at once, each protocol, against the mock's write log"
  mock_jit="$acc_mock_jit" mock_ttft_ms=50
  start_mock --itl-ms 10 --record-writes 1000000
  mock_jit="" mock_ttft_ms=0
  # The client on every core, as a user runs ./servebench (the mock keeps its own core).
  client_cpus="0-$(( $(nproc) - 1 ))" run_client "$work/cold.txt" "$java" $jvm_opts $client_cds $client_jit $client_gc ${SB_JAVA_OPTS:-} -jar "$client_jar" accuracy \
    --server "http://127.0.0.1:$mock_port" --phases cold --output-tokens 32 || { stop_mock; return 1; }
  local endpoint scheme requests t50 t99 e50 e99 l99 lmax opened failed
  # endpoint scheme requests TTFT p50 / p99, E2E p50 / p99, lag p99 / max, opened ahead, failed
  while read -r endpoint scheme requests t50 _ t99 e50 _ e99 l99 _ lmax opened failed; do
    row "cold $endpoint $scheme, $requests at once: TTFT / E2E error p99; lag p99 (ms); opened ahead; failed" \
      "< 1 / < 1; <= 2" "$(fmt "$t99" 3) / $(fmt "$e99" 3); $(fmt "$l99" 3); $opened; $failed" "-" "-" "$last_mock_pct%"
  done < <(grep -E '^(openai-chat|openai-completions|simple) +http' "$work/cold.txt")
  stop_mock
}

first_request_ms() { # args: results dir, the command's start (ns): ms from the command to its first send
  python3 - "$(ls "$1"/*-records.jsonl)" "$2" <<'PY'
import json, sys, datetime
lines = [json.loads(l) for l in open(sys.argv[1])]
run = lines[0]
started = datetime.datetime.fromisoformat(run["started_at"].replace("Z", "+00:00"))
frac = run["started_at"].rstrip("Z").split(".")[1] if "." in run["started_at"] else ""
start_ns = int(started.replace(microsecond=0).timestamp()) * 10**9 + int((frac + "000000000")[:9])
first = min(l["sent_ns"] for l in lines if l.get("record") == "request" and l.get("sent_ns") is not None)
print("%.0f" % ((start_ns + first - int(sys.argv[2])) / 1e6))
PY
}

# One `./servebench run` on both cores, as a user runs it: prints "MS RSS_MB" (command to first send,
# peak resident memory). Args: results dir, then servebench's run flags.
timed_run() {
  local dir="$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  local t0; t0="$(now_ns)"
  /usr/bin/time -f "%M" -o "$dir/rss.txt" "$root/servebench" run \
    --model-endpoint-base "http://127.0.0.1:$mock_port" --model-name mock-model --stream \
    --results-dir "$dir" "$@" >"$dir/console.txt" 2>&1 || { cat "$dir/console.txt" >&2; return 1; }
  echo "$(first_request_ms "$dir" "$t0") $(( $(tail -1 "$dir/rss.txt") / 1024 ))"
}

scenario_sharegpt() {
  local conversations="${SHAREGPT_CONVERSATIONS:-94000}"
  [ "$quick" = 1 ] && conversations="${SHAREGPT_CONVERSATIONS:-20000}"
  local file="$work/sharegpt-full.json"
  log "sharegpt: writing a ShareGPT file of $conversations conversations (2-8 turns, 5-600 words a turn)"
  "$java" -cp "$benchjar" dev.servebench.bench.ShareGptFile "$file" "$conversations" 1
  log "sharegpt: $(( $(stat -c %s "$file") / 1000000 )) MB; 1000 prompts, r50k_base, both cores"
  start_mock --itl-ms 1 --output-tokens 16
  "$root/servebench" --version >/dev/null
  local flags=(--dataset "$file" --dataset-format ShareGPT --num-prompts 1000 --tokenizer r50k_base
    --max-new-tokens 16 --request-rate 1000)
  local best_ms="" best_rss="" i out
  for i in 1 2; do
    out="$(timed_run "$work/sharegpt-miss-$i" "${flags[@]}" --prompt-cache "$work/sharegpt-cache-$i")" || { stop_mock; return 1; }
    set -- $out
    if [ -z "$best_ms" ] || [ "$1" -lt "$best_ms" ]; then best_ms="$1"; best_rss="$2"; fi
  done
  row "full-size ShareGPT ($conversations conversations), 1000 prompts, empty prompt cache: command to first request (ms, best of 2); peak RSS (MB)" \
    "<= 8000; <= 1024" "$best_ms; $best_rss" "-" "-" "-"
  best_ms=""
  for i in 1 2 3; do
    out="$(timed_run "$work/sharegpt-hit-$i" "${flags[@]}" --prompt-cache "$work/sharegpt-cache-1")" || { stop_mock; return 1; }
    set -- $out
    if [ -z "$best_ms" ] || [ "$1" -lt "$best_ms" ]; then best_ms="$1"; best_rss="$2"; fi
  done
  row "  same file, prompt cache filled: command to first request (ms, best of 3); peak RSS (MB)" \
    "<= 2000; <= 1024" "$best_ms; $best_rss" "-" "-" "-"
  rm -f "$file"
  stop_mock
}

scenario_tokenizers() {
  local dir="$root/../shared/data/tokenizers"
  log "tokenizers: Synthesis prompts of 512 tokens, empty prompt cache, both cores"
  start_mock --itl-ms 1 --output-tokens 16
  "$root/servebench" --version >/dev/null
  local name spec prompts best out i cells
  for prompts in 1000 20; do
    cells=""
    for name in r50k_base llama3 qwen3; do
      spec="$name"; [ "$name" = r50k_base ] || spec="$dir/$name.json"
      [ "$name" = r50k_base ] || [ -f "$spec" ] || { log "tokenizers: $spec missing, skipped"; continue; }
      best=""
      for i in 1 2; do
        out="$(timed_run "$work/tok-$name-$prompts-$i" --dataset-format Synthesis --input-len-mean 512 \
          --num-prompts "$prompts" --tokenizer "$spec" --max-new-tokens 16 --request-rate 1000 \
          --prompt-cache "$work/tok-cache-$name-$prompts-$i")" || { stop_mock; return 1; }
        set -- $out
        if [ -z "$best" ] || [ "$1" -lt "$best" ]; then best="$1"; fi
      done
      cells="${cells:+$cells / }$name $best"
    done
    row "tokenizer preparation: $prompts Synthesis prompts of 512 tokens, empty prompt cache: command to first request (ms, best of 2)" \
      "$([ "$prompts" = 1000 ] && echo "<= 3000 each" || echo "~ r50k + load")" "$cells" "-" "-" "-"
  done
  stop_mock
}

scenario_startup() {
  log "startup: command to first request sent (ShareGPT sample, r50k, through ./servebench: CDS archive, prompt cache)"
  start_mock --itl-ms 2 --output-tokens 16
  local dataset="$root/../shared/data/sharegpt-v3-sample50.json" flags=()
  if [ -f "$dataset" ]; then
    flags=(--dataset "$dataset" --dataset-format ShareGPT --num-prompts 40 --min-output-tokens-len 1
      --max-input-tokens-len 1000000 --max-length 2000000)
  else
    flags=(--dataset-format Synthesis --input-len-mean 512 --num-prompts 200)
  fi
  "$root/servebench" --version >/dev/null # builds the jar and trains its CDS archive if they are stale
  local cores cache
  for cores in "$client_core" "0-$(( $(nproc) - 1 ))"; do
    for cache in miss hit; do
      local best="" i
      for i in 1 2 3; do
        local dir="$work/startup-$i"; rm -rf "$dir"; mkdir -p "$dir"
        local cache_flag=(--prompt-cache "$work/prompt-cache-$cores-$i")
        [ "$cache" = hit ] && cache_flag=(--prompt-cache "$work/prompt-cache-$cores-1")
        local t0; t0="$(now_ns)"
        taskset -c "$cores" "$root/servebench" run --model-endpoint-base "http://127.0.0.1:$mock_port" \
          --model-name mock-model --tokenizer r50k_base "${flags[@]}" --request-rate 100 --stream \
          "${cache_flag[@]}" --results-dir "$dir" >"$dir/console.txt" 2>&1 || { cat "$dir/console.txt" >&2; return 1; }
        local ms; ms="$(first_request_ms "$dir" "$t0")"
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best="$ms"; fi
      done
      row "command to first request sent, cores $cores, prompt cache $cache (ms, best of 3)" "< 1000" "$best" "-" "-" "-"
    done
  done
  stop_mock
}

for s in $only; do
  case "$s" in
    cpu | rate | short | streams | ttft | cold | memory | startup | sharegpt | tokenizers)
      "scenario_$s" || { row "$s" "-" "scenario failed (see the log above)" "-" "-" "-"; stop_mock; } ;;
    *) log "unknown scenario $s" ;;
  esac
done

echo
echo "servebench load table ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, client on core $client_core, mock on core $mock_core, QUICK=$quick)"
{
  echo "figure|target|measured|floor|ratio|mock CPU (% of 1 core)"
  echo "---|---|---|---|---|---"
  printf '%s\n' "${rows[@]}"
} | awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
