#!/usr/bin/env bash
# Benchmark avn-token against curl (and avn when installed) on loopback; results go to
# BENCHMARKS.md by hand. Run by hand, not by the test suite:
#
#   bash bench/run.sh [ROUNDS]        # default 30 rounds; AVN=/path/to/avn to compare
#
# Needs python3, curl, openssl and GNU time (macOS: `brew install gnu-time`). Only loopback
# traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
python3 bench/bench.py target/release/avn-token "${1:-30}"
echo
echo "In-process, no network (cargo bench --bench render):"
cargo bench --quiet --bench render
