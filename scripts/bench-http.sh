#!/usr/bin/env bash
# Reproduces the HTTP command throughput figure of docs/benchmarks.md: builds
# the server and the load tool, then for each run starts a fresh server on
# loopback with an empty data directory and drives it with 64 clients.
#
#   scripts/bench-http.sh [runs] [seconds] [clients] [extra serve flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
secs=${2:-10}
clients=${3:-64}
shift $(( $# < 3 ? $# : 3 ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/switchboard" ./cmd/switchboard
go build -o "$out/sbload" ./cmd/sbload
export SWITCHBOARD_ADMIN_TOKEN=sbt_bench-$$
for i in $(seq "$runs"); do
  rm -rf "$out/data"
  "$out/switchboard" serve --addr 127.0.0.1:18080 --data "$out/data" --log-level warn "$@" &
  pid=$!
  "$out/sbload" -addr 127.0.0.1:18080 -clients "$clients" -duration "${secs}s" -json || true
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
