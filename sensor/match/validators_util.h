#pragma once
// Small character helpers shared by the validators (ASCII only on purpose: the patterns are
// byte patterns, and locale-dependent <cctype> must not decide what a digit is).
#include <string_view>

namespace vigie::match::detail {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
inline bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
inline bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
inline char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
inline char ToUpper(char c) { return IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
inline int Digit(char c) { return c - '0'; }
// Value of two decimal digits; REQUIRES: both are digits.
inline int Two(std::string_view s, std::size_t i) { return Digit(s[i]) * 10 + Digit(s[i + 1]); }
inline bool AllDigits(std::string_view s) {
  for (char c : s)
    if (!IsDigit(c)) return false;
  return !s.empty();
}
// True when the byte before `start` (if any) cannot continue a word, i.e. `start` begins a token
// (the regex \b: '_' is a word byte too, so "_0612345678" is not a phone).
inline bool TokenStart(std::string_view w, std::size_t start) {
  return start == 0 || (!IsAlnum(w[start - 1]) && w[start - 1] != '_');
}

}  // namespace vigie::match::detail
