#pragma once
// Small text helpers shared by the stages.
#include <string_view>

namespace vigie {

// s without the bytes of `blanks` at either end (default: spaces and tabs).
inline std::string_view TrimAny(std::string_view s, std::string_view blanks = " \t") {
  const std::size_t b = s.find_first_not_of(blanks);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

}  // namespace vigie
