#pragma once
// Sorting 64-bit keys (keyed hashes) in O(n): least-significant-byte radix sort, one counting
// pass for all eight digits, then one scatter pass per byte position whose byte is not the same
// for every key. Small inputs go to std::sort (the passes' fixed cost is ~8 KiB of counters).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace vigie {

// Sorts v ascending. scratch: a buffer reused across calls (grown to v.size()).
inline void RadixSortU64(std::vector<std::uint64_t>& v, std::vector<std::uint64_t>& scratch) {
  constexpr std::size_t kSmall = 256;
  const std::size_t n = v.size();
  if (n < kSmall) {
    std::sort(v.begin(), v.end());
    return;
  }
  std::array<std::array<std::uint32_t, 256>, 8> count{};
  for (const std::uint64_t x : v)
    for (unsigned b = 0; b < 8; ++b) ++count[b][(x >> (8 * b)) & 0xff];
  if (scratch.size() < n) scratch.resize(n);
  std::uint64_t* src = v.data();
  std::uint64_t* dst = scratch.data();
  for (unsigned b = 0; b < 8; ++b) {
    std::array<std::uint32_t, 256>& c = count[b];
    if (c[(src[0] >> (8 * b)) & 0xff] == n) continue;  // every key has this byte: order unchanged
    std::uint32_t sum = 0;
    for (std::uint32_t& k : c) {  // counts -> first index of each byte value
      const std::uint32_t here = k;
      k = sum;
      sum += here;
    }
    for (std::size_t i = 0; i < n; ++i) dst[c[(src[i] >> (8 * b)) & 0xff]++] = src[i];
    std::swap(src, dst);
  }
  if (src != v.data()) std::memcpy(v.data(), src, n * sizeof(std::uint64_t));
}

}  // namespace vigie
