#!/usr/bin/env bash
# Reproduces the HTTP command throughput figure of docs/benchmarks.md: builds
# the server and the load tool, then for each run starts a fresh server on
# loopback with an empty data directory and drives it with 64 clients.
#
#   scripts/bench-http.sh [runs] [seconds] [clients] [extra serve flags...]
#
# FOLLOWERS=N adds N visitors, each waiting with a chat and following its
# queue position stream while the clients run, and reports the server's CPU
# over the measured window (clients 0: the followers alone):
#
#   FOLLOWERS=10000 scripts/bench-http.sh 3 10 0
#
# SWITCHBOARD_BIN=path runs that server binary instead of building one (to
# compare two builds in one sitting); BENCH_PORT sets the port (18080).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
secs=${2:-10}
clients=${3:-64}
shift $(( $# < 3 ? $# : 3 ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
server=${SWITCHBOARD_BIN:-$out/switchboard}
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  go build -o "$out/switchboard" ./cmd/switchboard
fi
go build -o "$out/sbload" ./cmd/sbload
followers=()
if [ "${FOLLOWERS:-0}" -gt 0 ]; then
  followers=(-followers "$FOLLOWERS")
fi
export SWITCHBOARD_ADMIN_TOKEN=sbt_bench-$$
for i in $(seq "$runs"); do
  rm -rf "$out/data"
  "$server" serve --addr 127.0.0.1:${BENCH_PORT:-18080} --data "$out/data" --log-level warn "$@" &
  pid=$!
  if [ ${#followers[@]} -gt 0 ]; then
    "$out/sbload" -addr 127.0.0.1:${BENCH_PORT:-18080} -clients "$clients" -duration "${secs}s" -json "${followers[@]}" -server-pid "$pid" || true
  else
    "$out/sbload" -addr 127.0.0.1:${BENCH_PORT:-18080} -clients "$clients" -duration "${secs}s" -json || true
  fi
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
