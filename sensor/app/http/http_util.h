#pragma once
// Small text helpers shared by the HTTP decoder (ASCII only, no allocation unless noted).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/json_text.h"
#include "core/text.h"

namespace vigie::app::http {

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
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
  // Longest partial escape held between writes: "%4".
  static constexpr std::size_t kMaxHeld = 2;
  // Writes decoded bytes to out[0..] (capacity >= in.size() + kMaxHeld); returns bytes written.
  std::size_t Decode(std::string_view in, char* out);
  // A pending partial escape ("%" or "%4") is emitted verbatim.
  std::size_t Flush(char* out);
  void Reset() { pending_ = 0; }

 private:
  char buf_[2];
  int pending_ = 0;  // 0: none, 1: saw '%', 2: saw '%' + one hex digit
};

// JsonUnescapeState and IsJsonMediaType live in app/json_text.h (shared with SMTP / MIME parts).
using ::vigie::app::IsJsonMediaType;
using ::vigie::app::JsonUnescapeState;

}  // namespace vigie::app::http
