#!/usr/bin/env python3
"""Run one servebench plan as N shards spread over a Ray cluster, then merge them.

A Ray job (Ray Core API only): it reserves a placement group of N bundles, one per shard, spread
over distinct nodes ("STRICT_SPREAD", or "SPREAD" with --strategy), starts on each bundle one task
that runs

    servebench run --shard I/N --start-at <common instant> --results-dir <dir> <servebench flags>

and, once every shard has ended, runs `servebench merge` over the shards' results directories on
the driver. It exits with servebench's exit code (the one `run --processes N` would give: 0, 3
when requests failed, 6 when a shard failed or is missing, 130 when interrupted).

How the shards' results reach the driver (--collect):

  transfer (default)  each task runs its shard into a local temporary directory, packs it
                      (records, summary, report, console.txt) as a .tar.gz and returns the bytes
                      through Ray's object store; the driver unpacks them under
                      <results-dir>/shard-I-of-N/. Needs no shared file system.
  shared              each shard writes straight into <results-dir>/shard-I-of-N/, which must be
                      one shared path on every node (NFS, a mounted bucket...). Nothing is copied;
                      a shard's records stay there even if its task or the driver dies.

Usage (see deploy/ray/README.md):

    ray job submit --working-dir deploy/ray -- python servebench_shards.py --shards 4 \
        --servebench /opt/servebench/servebench --results-dir /tmp/servebench-results -- \
        --model-endpoint-base http://llm:8000 --request-rate 400 --num-prompts 20000 --stream
"""

import argparse
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time

import ray
from ray.util.placement_group import placement_group, remove_placement_group
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

# servebench's exit codes (src/main/java/dev/servebench/error/ExitCode.java).
OK = 0
REQUESTS_FAILED = 3
PARTIAL = 6
INTERRUPTED = 130
# A shard that exited with one of these has a whole (or, 130, a drained) records file.
MERGEABLE = (OK, REQUESTS_FAILED, INTERRUPTED)

# Flags this job sets for each shard itself; refused among the user's.
OWN_FLAGS = ("--shard", "--start-at", "--start_at", "--results-dir", "--results_dir",
             "--processes")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Run a servebench plan as N shards on a Ray cluster and merge them.",
        epilog="Everything after `--` is passed to every shard's `servebench run`.")
    parser.add_argument("--shards", type=int, required=True, help="number of shards N (>= 1)")
    parser.add_argument("--strategy", choices=("STRICT_SPREAD", "SPREAD"),
                        default="STRICT_SPREAD",
                        help="placement strategy: STRICT_SPREAD (default) puts every shard on a "
                             "node of its own and waits until N nodes can take one; SPREAD "
                             "spreads them as evenly as it can, several on a node if needed")
    parser.add_argument("--servebench", default="servebench",
                        help="servebench's command on every node: the launcher script "
                             "(./servebench), or `java -jar /path/servebench.jar` (split on "
                             "spaces); default: `servebench` on the PATH")
    parser.add_argument("--results-dir", required=True,
                        help="where the shards' results and the merged run go on the driver "
                             "(with --collect shared: a path every node shares)")
    parser.add_argument("--collect", choices=("transfer", "shared"), default="transfer",
                        help="how shard results reach the driver: transfer (default, through "
                             "Ray's object store) or shared (a shared file system path)")
    parser.add_argument("--start-delay-s", type=float, default=30.0,
                        help="seconds from the moment every bundle is placed to the common "
                             "start (default 30): a shard's JVM start, prompts, tokenizer and "
                             "connections must fit in it, or its first requests go late")
    parser.add_argument("--cpus-per-shard", type=float, default=1.0,
                        help="CPUs each bundle reserves (default 1); servebench itself uses the "
                             "node's cores as its own flags say (--io-threads)")
    parser.add_argument("--placement-timeout-s", type=float, default=300.0,
                        help="how long to wait for the placement group (default 300)")
    parser.add_argument("--scrape-on-every-shard", action="store_true",
                        help="let every shard scrape the server's metrics; by default only "
                             "shard 1 does (the others get --no-server-metrics), as under "
                             "--processes, since the merge keeps one shard's scrapes")
    if "--" in argv:
        cut = argv.index("--")
        own, servebench_flags = argv[:cut], argv[cut + 1:]
    else:
        own, servebench_flags = argv, []
    args = parser.parse_args(own)
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    for flag in servebench_flags:
        name = flag.split("=", 1)[0]
        if name in OWN_FLAGS:
            parser.error(f"{name} is set by this job for each shard; leave it out of the "
                         "servebench flags")
    if servebench_flags and servebench_flags[0] in ("run", "merge", "sweep"):
        if servebench_flags[0] != "run":
            parser.error("only `servebench run` can be sharded")
        servebench_flags = servebench_flags[1:]
    args.servebench_flags = servebench_flags
    return args


def not_scraping(flags):
    """flags without --server-metrics [URL] / --no-server-metrics, plus --no-server-metrics
    (as LocalShards.notScraping does for shards 2 to N under --processes)."""
    kept = []
    i = 0
    while i < len(flags):
        flag = flags[i]
        name = flag.split("=", 1)[0]
        if name in ("--server-metrics", "--server_metrics"):
            if "=" not in flag and i + 1 < len(flags) and not flags[i + 1].startswith("-"):
                i += 1  # its optional URL
        elif name not in ("--no-server-metrics", "--no_server_metrics"):
            kept.append(flag)
        i += 1
    kept.append("--no-server-metrics")
    return kept


def shard_dir_name(index, count):
    return f"shard-{index + 1}-of-{count}"


@ray.remote(max_retries=0)
def run_shard(command, index, count, start_at_ms, flags, results_dir, collect):
    """Runs shard index+1 of count; returns (index, host, exit code, tar.gz bytes or None).

    Never retried (max_retries=0): a shard run again would send its share of the plan again,
    late, on top of what the first try sent."""
    host = socket.gethostname()
    name = shard_dir_name(index, count)
    if collect == "shared":
        out_dir = os.path.join(results_dir, name)
        os.makedirs(out_dir, exist_ok=True)
        scratch = None
    else:
        scratch = tempfile.mkdtemp(prefix="servebench-shard-")
        out_dir = os.path.join(scratch, name)
        os.makedirs(out_dir)
    argv = list(command) + ["run", "--shard", f"{index + 1}/{count}",
                            "--start-at", str(start_at_ms), "--results-dir", out_dir] + flags
    print(f"[shard {index + 1}/{count} on {host}] {' '.join(argv)}", file=sys.stderr, flush=True)
    try:
        # stdout (the console report) into console.txt, as --processes does; stderr (warnings,
        # the live view's plain lines) goes to the task's log, which Ray shows on the driver.
        with open(os.path.join(out_dir, "console.txt"), "w") as console:
            child = subprocess.Popen(argv, stdout=console, stderr=None, stdin=subprocess.DEVNULL)
            try:
                code = child.wait()
            except KeyboardInterrupt:
                # ray.cancel(): stop the shard the graceful way (it drains what is in flight for
                # --drain-timeout and closes its records file), once, then wait for it.
                child.send_signal(signal.SIGTERM)
                code = child.wait()
        payload = None
        if collect == "transfer":
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
                tar.add(out_dir, arcname=name)
            payload = buffer.getvalue()
        return index, host, code, payload
    except FileNotFoundError as e:
        print(f"[shard {index + 1}/{count} on {host}] cannot start servebench: {e}",
              file=sys.stderr, flush=True)
        return index, host, 127, None
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def unpack(payload, results_dir):
    with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as tar:
        for member in tar.getmembers():
            # only plain files and folders under shard-I-of-N/, nothing outside results_dir
            target = os.path.realpath(os.path.join(results_dir, member.name))
            if not target.startswith(os.path.realpath(results_dir) + os.sep):
                raise ValueError(f"unexpected path in a shard's archive: {member.name}")
            if not (member.isfile() or member.isdir()):
                raise ValueError(f"unexpected entry in a shard's archive: {member.name}")
        tar.extractall(results_dir)


def main(argv):
    args = parse_args(argv)
    command = args.servebench.split()
    count = args.shards
    flags_first = list(args.servebench_flags)
    flags_rest = flags_first if args.scrape_on_every_shard else not_scraping(flags_first)

    results_dir = os.path.abspath(args.results_dir)
    os.makedirs(results_dir, exist_ok=True)
    shard_dirs = [os.path.join(results_dir, shard_dir_name(i, count)) for i in range(count)]
    for d in shard_dirs:
        if os.path.exists(d) and os.listdir(d):
            sys.exit(f"servebench_shards: {d} is not empty; give a fresh --results-dir")

    ray.init(address="auto")
    bundles = [{"CPU": args.cpus_per_shard} for _ in range(count)]
    pg = placement_group(bundles, strategy=args.strategy)
    ready, _ = ray.wait([pg.ready()], timeout=args.placement_timeout_s)
    if not ready:
        remove_placement_group(pg)
        sys.exit(f"servebench_shards: no placement for {count} bundles of "
                 f"{args.cpus_per_shard} CPU with {args.strategy} within "
                 f"{args.placement_timeout_s:.0f} s (STRICT_SPREAD needs {count} nodes)")

    # The common start, chosen once every bundle has a node, so placement does not eat the lead.
    start_at_ms = int((time.time() + args.start_delay_s) * 1000)
    print(f"servebench_shards: {count} shards ({args.strategy}) start at {start_at_ms} "
          f"(epoch ms, in {args.start_delay_s:.0f} s); results under {results_dir}",
          file=sys.stderr, flush=True)

    refs = []
    for i in range(count):
        refs.append(run_shard.options(
            num_cpus=args.cpus_per_shard,
            scheduling_strategy=PlacementGroupSchedulingStrategy(
                placement_group=pg, placement_group_bundle_index=i),
        ).remote(command, i, count, start_at_ms, flags_first if i == 0 else flags_rest,
                 results_dir, args.collect))

    codes = [None] * count
    interrupted = False

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    pending = list(refs)
    while pending:
        try:
            done, pending = ray.wait(pending, num_returns=1)
        except KeyboardInterrupt:
            if not interrupted:
                interrupted = True
                print("servebench_shards: stopping every shard (they drain what is in flight)",
                      file=sys.stderr, flush=True)
                for ref in pending:
                    ray.cancel(ref)  # KeyboardInterrupt in the task: it sends SIGTERM once
            continue
        for ref in done:
            i = refs.index(ref)
            try:
                index, host, code, payload = ray.get(ref)
            except Exception as e:  # the task died, was cancelled, or its node was lost
                print(f"servebench_shards: shard {i + 1}/{count} failed in Ray: {e}",
                      file=sys.stderr, flush=True)
                codes[i] = 1
                continue
            codes[index] = code
            print(f"servebench_shards: shard {index + 1}/{count} on {host} exited {code}",
                  file=sys.stderr, flush=True)
            if payload is not None:
                unpack(payload, results_dir)
    remove_placement_group(pg)

    present = [d for d in shard_dirs if os.path.isdir(d)
               and any(f.endswith("-records.jsonl") for f in os.listdir(d))]
    if not present:
        print("servebench_shards: no shard wrote a records file; nothing to merge",
              file=sys.stderr, flush=True)
        return next((c for c in codes if c not in (None, OK)), 1)

    merged_dir = os.path.join(results_dir, "merged")
    # The shards that wrote records; the merge knows N from their headers, names a missing shard
    # and marks the result partial (exit 6).
    merge = subprocess.run(command + ["merge"] + present + ["--output", merged_dir])
    failed = [i + 1 for i, c in enumerate(codes) if c not in MERGEABLE]
    if failed:
        print(f"servebench_shards: shard(s) {failed} failed (exit codes "
              f"{[codes[i - 1] for i in failed]}); the merged result is partial",
              file=sys.stderr, flush=True)
    if interrupted or INTERRUPTED in codes:
        return INTERRUPTED
    if failed or len(present) < count or merge.returncode == PARTIAL:
        return PARTIAL
    if merge.returncode != OK:
        return merge.returncode
    return REQUESTS_FAILED if REQUESTS_FAILED in codes else OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
