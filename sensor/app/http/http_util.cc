#include "app/http/http_util.h"

#include <limits>

namespace vigie::app::http {

std::optional<std::uint64_t> ParseContentLength(std::string_view v) {
  v = Trim(v);
  if (v.empty() || v.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

void PercentDecodeAppend(std::string_view in, bool plus_is_space, std::string* out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
      out->push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
}

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 3 / 4 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=') break;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::size_t PercentDecodeState::Decode(std::string_view in, char* out) {
  std::size_t n = 0;
  for (char c : in) {
    if (pending_ == 0) {
      if (c == '%') {
        buf_[0] = c;
        pending_ = 1;
      } else {
        out[n++] = c == '+' ? ' ' : c;
      }
    } else if (HexValue(c) < 0) {
      // Not an escape: emit what we held, then this byte.
      for (int i = 0; i < pending_; ++i) out[n++] = buf_[i];
      pending_ = 0;
      if (c == '%') {
        buf_[0] = c;
        pending_ = 1;
      } else {
        out[n++] = c == '+' ? ' ' : c;
      }
    } else if (pending_ == 1) {
      buf_[1] = c;
      pending_ = 2;
    } else {
      out[n++] = static_cast<char>(HexValue(buf_[1]) * 16 + HexValue(c));
      pending_ = 0;
    }
  }
  return n;
}

std::size_t PercentDecodeState::Flush(char* out) {
  std::size_t n = 0;
  for (int i = 0; i < pending_; ++i) out[n++] = buf_[i];
  pending_ = 0;
  return n;
}

}  // namespace vigie::app::http
