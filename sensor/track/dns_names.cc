#include "track/dns_names.h"

#include <array>
#include <cmath>

namespace vigie::track {

namespace {
constexpr std::array<std::string_view, 16> kShortSuffixes = {"co", "com", "net", "org", "gouv", "gov", "ac", "edu",
                                                             "asso", "nom", "or", "ne", "ltd", "plc", "sch", "mil"};
}

SplitName SplitRegisteredDomain(std::string_view q) {
  while (!q.empty() && q.back() == '.') q.remove_suffix(1);
  auto last = q.rfind('.');
  if (last == std::string_view::npos || last == 0) return {{}, q};
  auto second = q.rfind('.', last - 1);
  if (second == std::string_view::npos) return {{}, q};
  std::string_view tld = q.substr(last + 1);
  std::string_view sld = q.substr(second + 1, last - second - 1);
  std::size_t start = second + 1;
  if (tld.size() == 2 && second > 0) {
    for (auto s : kShortSuffixes) {
      if (sld == s) {
        auto third = q.rfind('.', second - 1);
        if (third == std::string_view::npos) return {{}, q};
        start = third + 1;
        break;
      }
    }
  }
  return {q.substr(0, start - 1), q.substr(start)};
}

double ShannonEntropy(std::string_view s) {
  std::array<std::uint32_t, 256> freq{};
  std::size_t n = 0;
  for (char c : s) {
    if (c == '.') continue;
    ++freq[static_cast<unsigned char>(c)];
    ++n;
  }
  if (n == 0) return 0;
  double h = 0;
  for (auto f : freq) {
    if (f == 0) continue;
    double p = static_cast<double>(f) / static_cast<double>(n);
    h -= p * std::log2(p);
  }
  return h;
}

std::size_t LongestLabel(std::string_view name) {
  std::size_t best = 0, cur = 0;
  for (char c : name) {
    if (c == '.') {
      cur = 0;
    } else if (++cur > best) {
      best = cur;
    }
  }
  return best;
}

std::string MaskQname(const SplitName& n) {
  std::string out(n.subdomain.substr(0, 6));
  out += "…[" + std::to_string(n.subdomain.size()) + " chars].";
  out += n.registered;
  return out;
}

}  // namespace vigie::track
