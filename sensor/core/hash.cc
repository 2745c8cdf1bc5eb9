#include "core/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace vigie {

std::uint64_t Hash64(ByteView data, std::uint64_t seed) { return XXH3_64bits_withSeed(data.data(), data.size(), seed); }

KeyedHasher::KeyedHasher(std::string_view secret) {
  XXH3_generateSecret(secret_, sizeof secret_, secret.data(), secret.size());
}

std::uint64_t KeyedHasher::operator()(std::string_view v) const {
  return XXH3_64bits_withSecret(v.data(), v.size(), secret_, sizeof secret_);
}

}  // namespace vigie
