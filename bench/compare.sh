#!/usr/bin/env bash
# Two avn-token binaries side by side on the 10,000-token list (the before/after pairs in
# BENCHMARKS.md), with a real-length token. Run by hand from the repository root:
#
#   bash bench/compare.sh OLD_BINARY NEW_BINARY [RUNS]
#
# Needs python3 and hyperfine (`apt-get install -y hyperfine`); loopback only. hyperfine
# alternates nothing, so it is run twice, in both orders: compare the runs' means and their
# user/system times, not one figure.
set -euo pipefail
old=$1 new=$2 runs=${3:-25}
work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 "$(dirname "$0")/canned_server.py" 10000 >"$work/port" &
server=$!
until [ -s "$work/port" ]; do sleep 0.1; done
export AIVEN_WEB_URL="http://127.0.0.1:$(cat "$work/port")"
AIVEN_AUTH_TOKEN="bench+token/$(head -c 330 /dev/zero | tr '\0' x)=="
export AIVEN_AUTH_TOKEN
for order in "$old $new" "$new $old"; do
  set -- $order
  hyperfine -N --warmup 3 --runs "$runs" "$1 list" "$2 list"
done
