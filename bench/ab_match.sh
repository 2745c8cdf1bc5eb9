#!/usr/bin/env bash
# A/B comparison of two bench_match binaries on a shared, noisy machine: runs them alternately
# ROUNDS times and prints the best bytes/s of each benchmark for each binary (MB/s), or the best
# items/s (M/s) for benchmarks counting calls (BM_Validator: validator calls).
# Usage: bench/ab_match.sh OLD_BENCH_MATCH NEW_BENCH_MATCH [FILTER_REGEX] [ROUNDS=5]
#        bench/ab_match.sh BIN1,BIN2[,BIN3...] [FILTER_REGEX] [ROUNDS=5]   (any number, in turn)
set -euo pipefail
if [[ $1 == *,* ]]; then
  IFS=, read -r -a bins <<<"$1"
  shift
else
  bins=("$1" "$2")
  shift 2
fi
filter=${1:-.}
rounds=${2:-5}
for _ in $(seq "$rounds"); do
  for b in "${bins[@]}"; do
    "$b" --benchmark_filter="$filter" --benchmark_min_time=0.3 2>/dev/null |
      sed -n 's/^\(BM_[^ ]*\).*\(bytes\|items\)_per_second=\([0-9.]*\)\([kMG]\).*/\1 \3 \4/p' |
      awk -v who="$b" '{v = $2; if ($3 == "G") v *= 1000; if ($3 == "k") v /= 1000; print who, $1, v}'
  done
done | awk '{k = $2 " " $1; if (!(k in best) || $3 > best[k]) best[k] = $3}
            END {for (k in best) printf "%-40s %-40s %10.1f M/s\n", substr(k, 1, index(k, " ") - 1), substr(k, index(k, " ") + 1), best[k]}' |
  sort
