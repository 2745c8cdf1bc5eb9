#pragma once
// CPU features the scanner's vector paths choose from, probed once per process.
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

}  // namespace vigie::match
