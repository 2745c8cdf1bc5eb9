#!/usr/bin/env bash
# Builds Vigie with profile-guided optimisation (GCC): an instrumented `vigie` replays training
# captures (two generated mixed captures: TLS bulk, DNS and JSON APIs, with a third of the APIs
# listing people in one and every API response dense with personal data in the other, JSON and
# CSV; plus every bundled capture: HTTP, SMTP, DNS, decoding and reassembly cases), then the release
# build in BUILD_DIR is compiled with the profile it wrote. Same code and behaviour as a plain
# release build, compiled with measured branch and call frequencies: the gain is in
# bench/README.md. Takes about two release builds' time plus a few seconds of training.
#
# Usage: scripts/build-pgo.sh [BUILD_DIR=build/pgo] [extra cmake args, e.g. -DVIGIE_BUILD_BENCH=ON]
# Leaves BUILD_DIR-train (instrumented build) and BUILD_DIR-profile (the profile) next to it.
# Needs the build packages (scripts/install-deps.sh) and python3; the training reads
# bench/mixed_capture.py, tests/tools/{pcapgen,people}.py and pcaps/ (the container build copies
# exactly these).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-build/pgo}
[ $# -gt 0 ] && shift
train="$out-train"
case "$out" in
  /*) profile="$out-profile" ;;
  *) profile="$(pwd)/$out-profile" ;;
esac
jobs=$(nproc)

echo "build-pgo: instrumented build in $train" >&2
rm -rf "$profile"
cmake -S . -B "$train" -DCMAKE_BUILD_TYPE=Release -DVIGIE_BUILD_TESTS=OFF -DVIGIE_BUILD_BENCH=OFF \
  -DVIGIE_PGO=generate -DVIGIE_PGO_DIR="$profile" "$@" >/dev/null
cmake --build "$train" --target vigie -j"$jobs" >/dev/null

echo "build-pgo: training" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/mixed_capture.py "$work/mixed.pcap" 48 >/dev/null
python3 bench/mixed_capture.py "$work/pii.pcap" 16 --pii >/dev/null
vigie="$train/sensor/vigie"
run() { "$vigie" --read "$1" --home-net 10.0.0.0/8 --alerts /dev/null >/dev/null 2>"$work/err"; }
# The main captures must replay cleanly; the bundled edge cases (truncated files...) may exit
# non-zero by design, their profile is written all the same.
for p in "$work/mixed.pcap" "$work/pii.pcap" pcaps/demo.pcap; do
  run "$p" || { echo "build-pgo: training run on $p failed:" >&2; cat "$work/err" >&2; exit 1; }
done
for p in pcaps/*.pcap pcaps/*.pcapng; do run "$p" || true; done
if [ -z "$(find "$profile" -name '*.gcda' -print -quit 2>/dev/null)" ]; then
  echo "build-pgo: the training wrote no profile under $profile" >&2
  exit 1
fi

echo "build-pgo: optimised build in $out" >&2
cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=Release -DVIGIE_PGO=use -DVIGIE_PGO_DIR="$profile" "$@" >/dev/null
cmake --build "$out" -j"$jobs" >/dev/null
echo "build-pgo: done: $out/sensor/vigie" >&2
