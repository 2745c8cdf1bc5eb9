#include "core/ip_addr.h"

#include <arpa/inet.h>

#include <cstring>

namespace vigie {

IpAddr IpAddr::FromV4(const std::uint8_t* p) {
  IpAddr a;
  a.bytes[10] = 0xff;
  a.bytes[11] = 0xff;
  std::memcpy(&a.bytes[12], p, 4);
  return a;
}

IpAddr IpAddr::FromV6(const std::uint8_t* p) {
  IpAddr a;
  std::memcpy(a.bytes.data(), p, 16);
  return a;
}

bool IpAddr::IsV4() const {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), kPrefix, 12) == 0;
}

std::string IpAddr::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (IsV4()) {
    inet_ntop(AF_INET, &bytes[12], buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<IpAddr> IpAddr::Parse(std::string_view text) {
  std::string s(text);
  std::uint8_t buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return FromV4(buf);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return FromV6(buf);
  return std::nullopt;
}

std::optional<Cidr> Cidr::Parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddr::Parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  int max = addr->IsV4() ? 32 : 128;
  int len = max;
  if (slash != std::string_view::npos) {
    auto num = text.substr(slash + 1);
    if (num.empty() || num.size() > 3) return std::nullopt;
    len = 0;
    for (char c : num) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + (c - '0');
    }
    if (len > max) return std::nullopt;
  }
  Cidr c;
  c.base = *addr;
  c.prefix_len = addr->IsV4() ? len + 96 : len;
  return c;
}

namespace {
// Bytes [at, at + 8) of an address as a number (the first byte most significant).
std::uint64_t Half(const IpAddr& a, std::size_t at) {
  std::uint64_t v;
  std::memcpy(&v, a.bytes.data() + at, sizeof v);
  return __builtin_bswap64(v);
}
// The mask of the first `bits` bits of a 64-bit half (bits clamped to 0..64).
std::uint64_t PrefixMask(int bits) {
  return bits <= 0 ? 0 : bits >= 64 ? ~std::uint64_t{0} : ~std::uint64_t{0} << (64 - bits);
}
}  // namespace

// Two 64-bit compares under the prefix's masks (called twice a packet: the volume counters'
// direction; a byte-wise memcmp of the prefix cost ~60 instructions a call).
bool Cidr::Contains(const IpAddr& a) const {
  return ((Half(a, 0) ^ Half(base, 0)) & PrefixMask(prefix_len)) == 0 &&
         ((Half(a, 8) ^ Half(base, 8)) & PrefixMask(prefix_len - 64)) == 0;
}

std::optional<CidrSet> CidrSet::Parse(std::string_view list, std::string* bad) {
  CidrSet set;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto tok = list.substr(0, comma);
    while (!tok.empty() && (tok.front() == ' ')) tok.remove_prefix(1);
    while (!tok.empty() && (tok.back() == ' ')) tok.remove_suffix(1);
    if (!tok.empty()) {
      auto c = Cidr::Parse(tok);
      if (!c) {
        if (bad) *bad = std::string(tok);
        return std::nullopt;
      }
      set.Add(*c);
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return set;
}

bool CidrSet::Contains(const IpAddr& a) const {
  for (const auto& n : nets_)
    if (n.Contains(a)) return true;
  return false;
}

}  // namespace vigie
