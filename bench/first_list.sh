#!/bin/sh
# From an empty virtualenv to the first `list` against the sandbox: `pip install` of the
# avn-token wheel then `avn-token list`, beside `pip install aiven-client==4.18.0` then
# `avn user access-token list`. Both install from local files (a wheelhouse, --no-index),
# so the network is out of the figures, as when pip's cache answers.
#
#   sh bench/first_list.sh prepare WHEEL RUNS   # RUNS empty venvs per side, the wheelhouse,
#                                               # and a sandbox on 127.0.0.1:18765
#   sh bench/first_list.sh run avn-token        # one measured run: the next unused venv,
#   sh bench/first_list.sh run avn              #   pip install, then the list
#   sh bench/first_list.sh stop                 # stop the sandbox
#
# Time the two `run` commands as whole processes, alternately (BENCHMARKS.md gives the
# figures and how they were taken). Each run uses up one venv: prepare as many as the runs
# and warm-ups of both commands. Work files are in $BENCH_DIR (default /tmp/avn-token-first-list).
set -eu
dir=${BENCH_DIR:-/tmp/avn-token-first-list}
address=127.0.0.1:18765
token=bench-first-list-token

case ${1:-} in
prepare)
    wheel=$2 runs=$3
    rm -rf "$dir" && mkdir -p "$dir/wheelhouse" "$dir/venvs/avn-token" "$dir/venvs/avn" "$dir/used"
    cp "$wheel" "$dir/wheelhouse/"
    pip download --quiet --dest "$dir/wheelhouse" aiven-client==4.18.0
    n=0
    while [ "$n" -lt "$runs" ]; do
        n=$((n + 1))
        python3 -m venv "$dir/venvs/avn-token/$n"
        python3 -m venv "$dir/venvs/avn/$n"
    done
    # The sandbox serves both sides; the wheel's own binary runs it.
    python3 -m venv "$dir/server"
    "$dir/server/bin/pip" install --quiet --no-index --find-links "$dir/wheelhouse" avn-token
    "$dir/server/bin/avn-token" sandbox --listen "$address" --token "$token" >/dev/null 2>&1 &
    echo $! > "$dir/sandbox.pid"
    sleep 1
    echo "prepared $runs venvs per side in $dir; sandbox at http://$address"
    ;;
run)
    side=$2
    venv=
    for candidate in "$dir/venvs/$side"/*; do
        mark="$dir/used/$side-${candidate##*/}"
        if [ ! -e "$mark" ]; then
            touch "$mark"
            venv=$candidate
            break
        fi
    done
    [ -n "$venv" ] || { echo "no unused venv left for $side: prepare more" >&2; exit 1; }
    export AIVEN_WEB_URL="http://$address" AIVEN_AUTH_TOKEN="$token"
    if [ "$side" = avn-token ]; then
        "$venv/bin/pip" install --quiet --no-index --find-links "$dir/wheelhouse" avn-token
        "$venv/bin/avn-token" list
    else
        "$venv/bin/pip" install --quiet --no-index --find-links "$dir/wheelhouse" aiven-client==4.18.0
        "$venv/bin/avn" user access-token list
    fi
    ;;
stop)
    kill "$(cat "$dir/sandbox.pid")"
    ;;
*)
    echo "usage: $0 prepare WHEEL RUNS | run avn-token|avn | stop" >&2
    exit 2
    ;;
esac
