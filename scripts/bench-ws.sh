#!/usr/bin/env bash
# Reproduces the WebSocket figures of docs/benchmarks.md: builds the server
# and cmd/wsload, then for each run starts a fresh server on loopback with an
# empty data directory and measures it.
#
#   scripts/bench-ws.sh conns   [runs] [connections] [sessions]
#   scripts/bench-ws.sh latency [runs] [messages/s] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-latency}
runs=${2:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/switchboard" ./cmd/switchboard
go build -o "$out/wsload" ./cmd/wsload
export SWITCHBOARD_ADMIN_TOKEN=sbt_bench-$$
for i in $(seq "$runs"); do
  rm -rf "$out/data"
  "$out/switchboard" serve --addr 127.0.0.1:18081 --data "$out/data" --log-level warn --pprof 127.0.0.1:16061 &
  pid=$!
  case "$mode" in
  conns) "$out/wsload" -mode conns -addr 127.0.0.1:18081 -conns "${3:-10000}" -sessions "${4:-100}" \
           -pprof 127.0.0.1:16061 -pid "$pid" -json || true ;;
  latency) "$out/wsload" -mode latency -addr 127.0.0.1:18081 -rate "${3:-5000}" -duration "${4:-10}s" \
           -sessions 500 -visitors 500 -json || true ;;
  esac
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
