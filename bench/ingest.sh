#!/usr/bin/env bash
# MQTT ingest benchmark: the same QoS 1 load (128-byte JSON from 1000 devices) into
#   (a) mosquitto + mosquitto_sub writing to /dev/null, (b) mosquitto + Sluice (fsync interval),
#   (c) NATS JetStream alone (nats-server's MQTT listener + a file-backed stream),
# then a steady 1000 msg/s into mosquitto + Sluice for publish -> durable latency. Prints one
# Markdown table per part and the goal verdicts (see BENCHMARKS.md, "MQTT ingest").
#
# usage: bench/ingest.sh [--messages N] [--latency-seconds S] [--runs N] [--set KEY=VALUE ...]
#   --messages N          burst size per target (default 200000)
#   --latency-seconds S   length of the steady part (default 60; 0 skips it)
#   --runs N              burst rounds, targets interleaved; the table shows each target's median (default 1)
#   --set KEY=VALUE       diagnostic: change a key of the Sluice config (e.g. compression=none)
#   --targets LIST        burst targets, comma-separated (default mosquitto_sub,sluice,nats); add
#                         sluice_scraped for the cost of metrics: Sluice with /metrics scraped every
#                         1 s, against sluice (endpoint off) in the same run
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

messages=200000
latency=60
runs=1
extra=()
while (($#)); do
  case "$1" in
    --messages) messages=$2; shift 2 ;;
    --latency-seconds) latency=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --set) extra+=(--set "$2"); shift 2 ;;
    --targets) extra+=(--targets "$2"); shift 2 ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
  esac
done

# Tools: mosquitto + clients, nats-server (Debian), perf (fsync counts, latency trace),
# libmosquitto-dev and a C compiler for the load generator.
need=()
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_sub >/dev/null || need+=(mosquitto-clients)
command -v nats-server >/dev/null || need+=(nats-server)
command -v perf >/dev/null || need+=(linux-perf)
[ -f /usr/include/mosquitto.h ] || need+=(libmosquitto-dev)
command -v cc >/dev/null || need+=(gcc)
if ((${#need[@]})); then
  echo "ingest: installing ${need[*]}" >&2
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi
export PATH="$PATH:/usr/sbin"

swift build -c release --product sluice --scratch-path .build-bench >&2
sluice=$repo/.build-bench/release/sluice

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-ingest-bench.XXXXXX")
runner=""
cleanup() {
  # run.py stops every process it started; this stops run.py itself if we are interrupted.
  if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
    kill -TERM "$runner" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$runner" 2>/dev/null || true
  fi
  if [ -n "${INGEST_KEEP:-}" ]; then echo "ingest: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -Wall -o "$work/mqtt-load" bench/ingest/mqtt-load.c -lmosquitto

python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
"$python" -B bench/ingest/run.py --messages "$messages" --latency-seconds "$latency" --runs "$runs" \
  --sluice "$sluice" --load "$work/mqtt-load" --repo "$repo" --work "$work" --json "$work/results.json" "${extra[@]}" &
runner=$!
wait "$runner"
