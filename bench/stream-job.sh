#!/usr/bin/env bash
# Stream processing benchmark: a job (filter on two fields + a 1-minute tumbling window of avg/min/max
# over temp, hum and pressure, per device) over a backlog already in the log (1M records of ~128 B
# JSON from 1000 devices, zstd, 3 partitions, as ingest stores them), against reading the same
# records through the log store with no processing (Partition.read + batch decoding) in the same
# run. Each mode runs in its own process (its peak RSS is its own), --runs times, interleaved;
# the table shows medians. The job writes its output (telemetry-1m) and checkpoints every 10 s.
#
# usage: bench/stream-job.sh [--records N] [--keys N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."

records=1000000
keys=1000
runs=3
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) sed -n '2,9p' "$0" >&2; exit 2 ;;
  esac
done

swift build -c release --product sluice-bench --scratch-path .build-bench >&2
bin=.build-bench/release/sluice-bench
mkdir -p bench/out
data=bench/out/stream-$$
results=$(mktemp)
trap 'rm -rf "$data" "$results"; rmdir bench/out 2>/dev/null || true' EXIT
"$bin" --mode make-backlog --data-dir "$data" --records "$records" --keys "$keys" --partitions 3 >&2

for ((run = 1; run <= runs; run++)); do
  echo "stream-job: run $run/$runs" >&2
  "$bin" --mode stream-read --data-dir "$data" | tee -a "$results" >&2
  rm -rf "$data"/telemetry-1m-* "$data"/_dead_letters-* "$data"/catalog.sqlite*
  "$bin" --mode stream-job --data-dir "$data" | tee -a "$results" >&2
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "records=$records keys=$keys runs=$runs · $(nproc) CPUs ($cpu) · Linux $(uname -r)"
echo
awk -v keys="$keys" '
  function field(name,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] } return "" }
  function median(list, n,   i, j, t, a) { split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((n + 1) / 2)] }
  /^stream / {
    m = field("mode"); n[m]++
    rate[m] = rate[m] " " field("records") / field("seconds")
    cpu[m] = cpu[m] " " field("cpu_seconds") * 100000 / field("records")
    rss[m] = rss[m] " " field("peak_rss_kib") / 1024
    grow[m] = grow[m] " " (field("peak_rss_kib") - field("rss_before_kib")) / 1024
    if (m == "stream-job") { out = field("out"); late = field("late"); k = field("keys"); state = field("state_bytes") }
  }
  END {
    r = median(rate["stream-read"], n["stream-read"]); j = median(rate["stream-job"], n["stream-job"])
    printf "| mode | records/s | CPU s per 100k records | peak RSS | RSS growth while running |\n|---|---|---|---|---|\n"
    printf "| plain read through the log store | %.0f | %.3f | %.1f MiB | %.1f MiB |\n", r, median(cpu["stream-read"], n["stream-read"]), median(rss["stream-read"], n["stream-read"]), median(grow["stream-read"], n["stream-read"])
    printf "| job: filter + 1-min window, 3 fields | %.0f | %.3f | %.1f MiB | %.1f MiB |\n", j, median(cpu["stream-job"], n["stream-job"]), median(rss["stream-job"], n["stream-job"]), median(grow["stream-job"], n["stream-job"])
    printf "\njob / plain read rate: **%.2f×** (goal ≥ 0.5×) · output %s window records, %s late · %s keys, checkpointed state %s bytes = %.0f bytes per device (goal ≤ 1024); job RSS above the plain read %.0f bytes per device (SQLite catalog, output buffers and state together)\n", j / r, out, late, k, state, state / k, (median(grow["stream-job"], n["stream-job"]) - median(grow["stream-read"], n["stream-read"])) * 1048576 / k
  }' "$results"
