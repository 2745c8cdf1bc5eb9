#pragma once
// IPv4/IPv6 address stored in 16 bytes (IPv4 as ::ffff:a.b.c.d) so flow keys have one shape.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie {

struct IpAddr {
  std::array<std::uint8_t, 16> bytes{};

  static IpAddr FromV4(const std::uint8_t* p);   // REQUIRES: 4 readable bytes
  static IpAddr FromV6(const std::uint8_t* p);   // REQUIRES: 16 readable bytes
  static std::optional<IpAddr> Parse(std::string_view text);

  bool IsV4() const;
  std::string ToString() const;
  auto operator<=>(const IpAddr&) const = default;
};

// One network, e.g. 10.0.0.0/8 or 2001:db8::/32.
struct Cidr {
  IpAddr base;
  int prefix_len = 0;  // over the 128-bit form (IPv4 /8 is stored as /104)
  static std::optional<Cidr> Parse(std::string_view text);
  bool Contains(const IpAddr& a) const;
};

class CidrSet {
 public:
  // Comma-separated list; nullopt (with the bad token in *bad) on error.
  static std::optional<CidrSet> Parse(std::string_view list, std::string* bad = nullptr);
  void Add(const Cidr& c) { nets_.push_back(c); }
  bool Contains(const IpAddr& a) const;
  bool empty() const { return nets_.empty(); }
  const std::vector<Cidr>& nets() const { return nets_; }

 private:
  std::vector<Cidr> nets_;
};

}  // namespace vigie
