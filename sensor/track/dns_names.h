#pragma once
// Helpers of the DNS-tunnel rule: registered-domain approximation, entropy, masking.
#include <string>
#include <string_view>

namespace vigie::track {

struct SplitName {
  std::string_view subdomain;  // everything before the registered domain, no trailing dot
  std::string_view registered; // e.g. "example.com", "example.co.uk"
};

// Registered domain ≈ the last two labels, or the last three when the last label is a
// two-letter country code and the second-to-last a short public suffix (co.uk, com.fr,
// gouv.fr, ac.uk, org.au, ...). No public-suffix list: good enough to group tunnel names.
SplitName SplitRegisteredDomain(std::string_view qname);

// Shannon entropy in bits per character, dots ignored. 0 for an empty string.
double ShannonEntropy(std::string_view s);

// Length of the longest label of `name`.
std::size_t LongestLabel(std::string_view name);

// "mzxw6y…[58 chars].evil.example": enough to recognise the pattern, not to read the payload.
std::string MaskQname(const SplitName& n);

}  // namespace vigie::track
