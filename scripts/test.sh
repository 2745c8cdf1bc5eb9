#!/usr/bin/env bash
# Builds Vigie twice (release with -Werror, and ASan+UBSan) and runs every test in both.
# Usage: scripts/test.sh [--release-only|--asan-only] [--pgo] [extra ctest args]
#   --pgo: the release build is the profile-guided one (scripts/build-pgo.sh, in build/release-pgo)
#          instead of a plain release build: checks what a production build ships.
# This is the command .ci/run runs. The long fuzz runs (tests/CMakeLists.txt) are not part of
# it: configure a build with -DVIGIE_LONG_TESTS=ON [-DVIGIE_FUZZ_ITERATIONS=N], then ctest -L long.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

modes=(release asan)
pgo=0
while [ $# -gt 0 ]; do
  case "$1" in
    --release-only) modes=(release); shift ;;
    --asan-only) modes=(asan); shift ;;
    --pgo) pgo=1; shift ;;
    *) break ;;
  esac
done

jobs=$(nproc)
# Captures for replay tests, including the large ones made only at test time.
python3 tests/tools/make_pcaps.py --large build/generated-pcaps >/dev/null

for mode in "${modes[@]}"; do
  dir="build/$mode"
  if [ "$mode" = release ] && [ "$pgo" = 1 ]; then
    dir="build/release-pgo"
    bash scripts/build-pgo.sh "$dir"
  elif [ "$mode" = release ]; then
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  else
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DVIGIE_SANITIZE=ON -DVIGIE_BUILD_BENCH=OFF >/dev/null
  fi
  echo "== building $mode" >&2
  cmake --build "$dir" -j"$jobs" 2>&1 | grep -E "error|warning|Error" >&2 || true
  cmake --build "$dir" -j"$jobs" >/dev/null  # fails the script if the build failed
  echo "== testing $mode" >&2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" "$@"
done
