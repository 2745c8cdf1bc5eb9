#include "track/hll.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace vigie::track {

void Hll::Add(std::uint64_t hash) {
  std::size_t idx = hash >> (64 - kPrecision);
  std::uint64_t rest = (hash << kPrecision) | (std::uint64_t{1} << (kPrecision - 1));  // sentinel caps rho
  auto rho = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
  if (rho > reg_[idx]) reg_[idx] = rho;
}

void Hll::Merge(const Hll& other) {
  for (std::size_t i = 0; i < kRegisters; ++i) reg_[i] = std::max(reg_[i], other.reg_[i]);
}

double Hll::Estimate() const {
  constexpr double m = static_cast<double>(kRegisters);
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double sum = 0;
  std::size_t zeros = 0;
  for (auto r : reg_) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    zeros += (r == 0);
  }
  double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros != 0) e = m * std::log(m / static_cast<double>(zeros));
  return e;
}

}  // namespace vigie::track
