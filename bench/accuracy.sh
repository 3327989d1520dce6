#!/usr/bin/env bash
# Accuracy: servebench's stamps against the mock server's own log of when it wrote each chunk, at
# 1 and 500 concurrent streams (override: STREAMS=1,100,1000). Both run in one process on one clock;
# the difference per chunk is all the client adds to TTFT, ITL and E2E. Target: p99 under 1 ms.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$here/servebench" accuracy --streams "${STREAMS:-1,500}" "$@"
