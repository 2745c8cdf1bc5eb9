#!/usr/bin/env bash
# Quick start: installs the Debian packages, builds vigie (release) and replays the bundled
# demo capture, printing its alerts (JSON lines) on stdout and a summary on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target vigie -j"$(nproc)" >/dev/null
exec build/release/sensor/vigie --read pcaps/demo.pcap --home-net 10.0.0.0/8 --alerts - "$@"
