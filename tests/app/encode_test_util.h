#pragma once
// Encoders the app tests build their inputs with (written here, not taken from the decoders
// under test).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigie::app::testutil {

// Base64 (standard alphabet, padded) with a CRLF after every `line` characters.
inline std::string Base64(std::string_view in, std::size_t line = 76) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out, cur;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t v = static_cast<std::uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<std::uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<std::uint8_t>(in[i + 2]);
    cur += kAlphabet[(v >> 18) & 63];
    cur += kAlphabet[(v >> 12) & 63];
    cur += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    cur += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
    if (cur.size() >= line) {
      out += cur + "\r\n";
      cur.clear();
    }
  }
  return out + cur;
}

}  // namespace vigie::app::testutil
