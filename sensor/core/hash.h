#pragma once
// Fast hashing (xxh3). KeyedHasher hashes personal values with a per-installation secret so
// that the same person gives the same 64-bit id on this sensor and nothing reversible leaves it.
#include <cstdint>
#include <string_view>

#include "core/bytes.h"

namespace vigie {

std::uint64_t Hash64(ByteView data, std::uint64_t seed = 0);
inline std::uint64_t Hash64(std::string_view s, std::uint64_t seed = 0) { return Hash64(AsBytes(s), seed); }

class KeyedHasher {
 public:
  // The secret is expanded into an xxh3 secret (>= 136 bytes) once.
  explicit KeyedHasher(std::string_view secret);
  std::uint64_t operator()(std::string_view normalized_value) const;

 private:
  unsigned char secret_[192];
};

}  // namespace vigie
