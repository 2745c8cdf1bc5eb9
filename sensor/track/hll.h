#pragma once
// HyperLogLog with 2^12 one-byte registers (4 KiB): standard error 1.04 / sqrt(4096) ≈ 1.6 %,
// linear counting below 2.5 m. Input must be a well-mixed 64-bit hash (no large-range
// correction is needed with 64-bit hashes). Mergeable: the union of two sketches is the
// register-wise max, which is how sliding windows are made from per-bucket sketches.
#include <array>
#include <cstdint>

namespace vigie::track {

class Hll {
 public:
  static constexpr int kPrecision = 12;
  static constexpr std::size_t kRegisters = std::size_t{1} << kPrecision;

  void Add(std::uint64_t hash);
  void Merge(const Hll& other);
  double Estimate() const;
  void Clear() { reg_.fill(0); }
  std::array<std::uint8_t, kRegisters>& registers() { return reg_; }
  const std::array<std::uint8_t, kRegisters>& registers() const { return reg_; }

 private:
  std::array<std::uint8_t, kRegisters> reg_{};
};

// A fast 64-bit finalizer (splitmix64) used to spread 32-bit record fingerprints for the HLL.
inline std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace vigie::track
