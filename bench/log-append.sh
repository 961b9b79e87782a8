#!/usr/bin/env bash
# Log store append benchmark: 1M records of ~128 B JSON telemetry from 1000 devices appended
# through SluiceLog (fsync interval / always, compression none / zstd), against the same batch
# bytes written with plain write + fdatasync in the same run (the disk's limit). Each mode runs in
# its own process, so its peak RSS is its own; every mode runs --runs times, interleaved, and the
# table shows each mode's median run (fsync latency on a virtual disk varies a lot between runs).
# Prints a Markdown table (see BENCHMARKS.md).
#
# usage: bench/log-append.sh [--records N] [--runs N] [--burst N] [--partitions N]
set -euo pipefail
cd "$(dirname "$0")/.."

records=1000000
runs=5
burst=500
partitions=1
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --burst) burst=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    *) sed -n '2,9p' "$0" >&2; exit 2 ;;
  esac
done

swift build -c release --product sluice-bench --scratch-path .build-bench >&2
bin=.build-bench/release/sluice-bench
out=bench/out  # on the repo's disk (not tmpfs); git-ignored; each run removes its own files
mkdir -p "$out"
results=$(mktemp)
trap 'rm -f "$results"; rmdir "$out" 2>/dev/null || true' EXIT

# Modes interleaved within each round, so slow phases of the disk hit them all alike.
for ((run = 1; run <= runs; run++)); do
  for mode in raw-interval store-interval store-records-interval store-batch-interval store-zstd-interval raw-always store-always; do
    echo "log-append: run $run/$runs $mode" >&2
    "$bin" --mode "$mode" --records "$records" --burst "$burst" --partitions "$partitions" --dir "$out" | tee -a "$results" >&2
  done
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
disk=$(df --output=source,fstype "$out" | tail -1 | tr -s ' ')
echo "records=$records burst=$burst partitions=$partitions runs=$runs · $(nproc) CPUs ($cpu) · $(free -g | awk '/^Mem:/ {print $2}') GiB RAM · data on $disk · Linux $(uname -r)"
echo
"$bin" report < "$results"
