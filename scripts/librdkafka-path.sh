#!/usr/bin/env bash
# Prints a folder holding a `librdkafka.so.1` link to the librdkafka bundled in the venv's
# confluent-kafka wheel (2.16 at the time of writing), creating the link the first time.
# Put the folder first on LD_LIBRARY_PATH to make a program built against Debian's
# librdkafka 2.0.2 headers run with the newer library (same SONAME, backward-compatible ABI):
#   LD_LIBRARY_PATH=$(scripts/librdkafka-path.sh) swift test
# Why: Debian's 2.0.2 cannot talk to tansu 0.6.0, the test broker (see NOTES.md).
# Needs .venv (scripts/bootstrap.sh creates it). Exits 1 with a reason if the wheel is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shopt -s nullglob
libraries=("$root"/.venv/lib/python3*/site-packages/confluent_kafka.libs/librdkafka-*.so.1)
if ((${#libraries[@]} == 0)); then
  echo "librdkafka-path: no librdkafka in .venv's confluent-kafka wheel; run scripts/bootstrap.sh (make bootstrap)" >&2
  exit 1
fi
folder="$root/.build/librdkafka-wheel"
mkdir -p "$folder"
if [ "$(readlink "$folder/librdkafka.so.1" 2>/dev/null)" != "${libraries[0]}" ]; then
  # Link under a temporary name, then rename over the old link: atomic for concurrent runs.
  ln -sfn "${libraries[0]}" "$folder/librdkafka.so.1.$$"
  mv -Tf "$folder/librdkafka.so.1.$$" "$folder/librdkafka.so.1"
fi
echo "$folder"
