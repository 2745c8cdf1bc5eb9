#!/usr/bin/env bash
# Installs every Debian 12 package Vigie needs to build, test and benchmark.
# Idempotent: when everything is already installed it prints nothing and exits 0.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libpcap-dev libhyperscan-dev
  libboost-dev libboost-system-dev
  prometheus-cpp-dev
  zlib1g-dev libisal-dev libbrotli-dev libssl-dev
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3
  # Optional test peers (tests skip cleanly without them): tshark for cross-checks,
  # tcpreplay/iproute2/curl for live capture, prometheus for the scrape test.
  tshark tcpreplay iproute2 curl prometheus
  # Deployment checks (tests/deploy): ethtool for deploy/nic-setup.sh, systemd for
  # `systemd-analyze verify` of deploy/systemd/vigie.service, libcap2-bin for setcap/getpcaps.
  ethtool systemd libcap2-bin
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
