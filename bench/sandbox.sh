#!/usr/bin/env bash
# Sandbox speed: time to first answer after start, and list requests per second with wrk.
# Run by hand from the repository root after `cargo build --release`:
#   bench/sandbox.sh [path/to/avn-token]
# Needs curl, wrk (`apt-get install -y wrk`) and GNU date (nanoseconds: `date +%s%N`; on
# macOS `brew install coreutils` and put its gnubin first on PATH). Prints the numbers
# BENCHMARKS.md records.
set -euo pipefail
case $(date +%N) in
  *[!0-9]* | '') echo "bench/sandbox.sh needs GNU date (date +%N): on macOS, brew install coreutils" >&2; exit 1 ;;
esac
bin=${1:-target/release/avn-token}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== start to first answer (20 runs, ms) =="
for _ in $(seq 20); do
  start=$(date +%s%N)
  "$bin" sandbox --token bench-token >"$work/env" 2>/dev/null &
  pid=$!
  until [ -s "$work/env" ] && grep -q AIVEN_AUTH_TOKEN "$work/env"; do :; done
  . "$work/env"
  curl -sf -o /dev/null -H "Authorization: aivenv1 $AIVEN_AUTH_TOKEN" "$AIVEN_WEB_URL/v1/me"
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true; : >"$work/env"
done | sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms, min %.1f ms, max %.1f ms\n", a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000}'

echo "== GET /v1/access_token with 11 tokens listed (wrk, 10 s) =="
"$bin" sandbox --token bench-token --state "$work/state.json" >"$work/env" 2>/dev/null &
pid=$!
until [ -s "$work/env" ] && grep -q AIVEN_AUTH_TOKEN "$work/env"; do :; done
. "$work/env"
for n in $(seq 10); do
  curl -sf -o /dev/null -H "Authorization: aivenv1 $AIVEN_AUTH_TOKEN" \
    -H 'content-type: application/json' -d "{\"description\":\"bench $n\"}" "$AIVEN_WEB_URL/v1/access_token"
done
for connections in 8 64 256; do
  echo "-- $connections connections, 2 threads"
  wrk -t2 -c"$connections" -d10s -H "Authorization: aivenv1 $AIVEN_AUTH_TOKEN" \
    "$AIVEN_WEB_URL/v1/access_token" | grep -E 'Requests/sec|Latency|Non-2xx|Socket errors' || true
done
