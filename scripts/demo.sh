#!/usr/bin/env bash
# The main job, end to end on this machine: a real mosquitto (config/mosquitto.conf, loopback),
# `sluice run` with the shipped device profiles, and `sluice simulate` publishing realistic
# telemetry (with a few broken messages on purpose). Prints what flows every 2 s, then what is
# in the log. Everything started here is stopped on exit.
#   scripts/demo.sh [--devices N] [--rate MSG_PER_S] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=1000 RATE=2000 SECONDS_TO_RUN=20
while [ $# -gt 0 ]; do
  case "$1" in
    --devices) DEVICES=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --seconds) SECONDS_TO_RUN=$2; shift 2 ;;
    *) echo "usage: $0 [--devices N] [--rate MSG_PER_S] [--seconds S]" >&2; exit 2 ;;
  esac
done

SLUICE=.build/release/sluice
DEMO=$PWD/demo
rm -rf "$DEMO" && mkdir -p "$DEMO/run"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
METRICS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

sed "s/^listener 1883 /listener $PORT /" config/mosquitto.conf > "$DEMO/mosquitto.conf"
(exec mosquitto -c "$DEMO/mosquitto.conf" > "$DEMO/mosquitto.log" 2>&1) & pids+=($!)
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done

# The shipped configuration, pointed at this broker and a demo data directory.
sed -e "s|^data_dir: .*|data_dir: $DEMO/data|" -e "s|^devices_dir: .*|devices_dir: $PWD/devices|" \
    -e "s|^  port: 1883 |  port: $PORT |" -e "s|^  listen: 127.0.0.1:9464 |  listen: 127.0.0.1:$METRICS_PORT |" \
    config/sluice.yaml > "$DEMO/sluice.yaml"
echo "== sluice check-config"
$SLUICE check-config --config "$DEMO/sluice.yaml"
echo
(RUNTIME_DIRECTORY="$DEMO/run" exec $SLUICE run --config "$DEMO/sluice.yaml" > "$DEMO/sluice.log" 2>&1) & SLUICE_PID=$!; pids+=($SLUICE_PID)
for _ in $(seq 100); do grep -q '"isConnected" : true' "$DEMO/run/status.json" 2>/dev/null && break; sleep 0.1; done

echo "== mosquitto on 127.0.0.1:$PORT, sluice run (pid $SLUICE_PID), simulator: $DEVICES devices, $RATE msg/s, ${SECONDS_TO_RUN}s, 0.5% malformed"
echo "== status page: http://127.0.0.1:$METRICS_PORT/   (also /metrics, /healthz, /status.json)"
($SLUICE simulate --config "$DEMO/sluice.yaml" --devices "$DEVICES" --rate "$RATE" --duration "$SECONDS_TO_RUN" \
   --malformed 0.5 --report-every 0 > "$DEMO/simulate.log" 2>&1) & SIM_PID=$!; pids+=($SIM_PID)
while kill -0 $SIM_PID 2>/dev/null; do
  sleep 2
  python3 - "$DEMO/run/status.json" <<'PY' || true
import json, sys
s = json.load(open(sys.argv[1]))
rates = ", ".join(f"{t['name']} {t['recordsPerSecond']:.0f}/s" for t in s["topics"] if t["name"] != "_dead_letters")
dead = sum(s["deadLettersByReason"].values())
print(f"  {s['recordsAccepted']:>7} records ({rates}); dead letters {dead}; fsyncs {s['fsyncs']}; disk {s['diskBytes']//1024} KiB")
PY
done
wait $SIM_PID || true
cat "$DEMO/simulate.log"
sleep 2.5
echo
echo "== sluice status"
$SLUICE status --runtime-dir "$DEMO/run"
kill -TERM $SLUICE_PID; wait $SLUICE_PID || true
echo
echo "== sluice topics"
$SLUICE topics --data-dir "$DEMO/data"
echo
echo "== sluice consume telemetry (first 3) and _dead_letters (first 3)"
$SLUICE consume telemetry --data-dir "$DEMO/data" --partition 0 --max-records 3
$SLUICE consume _dead_letters --data-dir "$DEMO/data" --max-records 3 | cut -c1-220
echo
echo "== sluice dump-log (first batch of telemetry-0)"
$SLUICE dump-log "$DEMO/data/telemetry-0/00000000000000000000.log" | head -n 3 | cut -c1-300
echo
echo "The demo's files are in $DEMO (sluice.log, mosquitto.log, data/)."
