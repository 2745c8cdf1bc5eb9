#pragma once
// Small text helpers shared by the HTTP decoder (ASCII only, no allocation unless noted).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::app::http {

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

inline bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict decimal Content-Length; nullopt on anything else (sign, spaces inside, overflow).
std::optional<std::uint64_t> ParseContentLength(std::string_view v);

// Appends the percent-decoded form of `in` to *out ('+' → ' ' when plus_is_space).
// Invalid escapes are kept verbatim.
void PercentDecodeAppend(std::string_view in, bool plus_is_space, std::string* out);

// Standard (or URL-safe, padding optional) base64; nullopt on invalid characters.
std::optional<std::string> Base64Decode(std::string_view in);

// Streaming percent-decoder state (form bodies): feed bytes in any chunking.
class PercentDecodeState {
 public:
  // Writes decoded bytes to out[0..] (capacity >= in.size() + 2); returns bytes written.
  std::size_t Decode(std::string_view in, char* out);
  // A pending partial escape ("%" or "%4") is emitted verbatim.
  std::size_t Flush(char* out);
  void Reset() { pending_ = 0; }

 private:
  char buf_[2];
  int pending_ = 0;  // 0: none, 1: saw '%', 2: saw '%' + one hex digit
};

}  // namespace vigie::app::http
