#pragma once
// CPU features the scanner's vector paths choose from, probed once per process.
#include <cstddef>
#include <cstring>

namespace vigie::match {

inline bool CpuHasAvx512Bw() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bw") != 0;
  }();
  return has;
}

// AVX2 (32-byte integer vectors): the vector paths of CPUs without AVX-512 (Zen 2/3, Intel
// client cores, Haswell/Broadwell servers).
inline bool CpuHasAvx2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
}

// AVX-512 VBMI (byte permutes), with AVX-512BW.
inline bool CpuHasAvx512Vbmi() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vbmi") != 0 && __builtin_cpu_supports("avx512bw") != 0;
  }();
  return has;
}

// A block of up to 64 bytes for the 64-byte block masks: p itself when n >= 64, else its n bytes
// copied into `tmp` and padded with `fill` (a byte the caller's compares never match).
template <typename Byte>
inline const Byte* Block64(const Byte* p, std::size_t n, Byte (&tmp)[64], Byte fill) {
  if (n >= 64) return p;
  std::memset(tmp, fill, sizeof tmp);
  std::memcpy(tmp, p, n);
  return tmp;
}

// The widest byte-compare vectors the CPU has (the scanner's block masks: 64 bytes as one
// AVX-512BW vector, two AVX2 ones or four SSE2 ones).
enum class Simd : unsigned char { kSse2, kAvx2, kAvx512 };
inline Simd BestSimd() {
  static const Simd best = CpuHasAvx512Bw() ? Simd::kAvx512 : CpuHasAvx2() ? Simd::kAvx2 : Simd::kSse2;
  return best;
}

}  // namespace vigie::match
