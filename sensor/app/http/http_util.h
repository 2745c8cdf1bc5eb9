#pragma once
// Small text helpers shared by the HTTP decoder (ASCII only, no allocation unless noted).
#include <cstdint>
#include <cstring>
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

constexpr int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A JSON media type (`content_type` without parameters, any case): application/json, text/json,
// application/*+json (problem+json, ld+json, vnd.api+json …), and the line-delimited
// application/x-ndjson, application/ndjson, application/jsonl, application/x-jsonlines.
bool IsJsonMediaType(std::string_view media_type);

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

// Streaming JSON string-escape decoder (JSON bodies): feed bytes in any chunking; the output is
// the same whatever the cut (an escape split across writes is held, at most kMaxHeld bytes).
// It decodes only escapes whose decoding cannot change the JSON's structure, so that values a
// serializer escaped by default reach the scanner as text:
//   \/ → '/';  \uXXXX (code point >= 0x20, not '"' 0x22 nor '\' 0x5C) → its UTF-8 bytes;
//   a valid surrogate pair \uD8xx\uDCxx → the 4-byte UTF-8 sequence.
// Everything else passes verbatim: \" \\ \n \t \r \b \f, \u0000–\u001F, \u0022, \u005C,
// lone or reversed surrogates, malformed escapes (\u12, \uZZZZ), a trailing '\' at Flush.
// An escaped backslash is consumed with its escape, so in `\\u00e9` the `u00e9` stays text.
// It does not track whether a byte is inside a string: escapes only occur in strings in valid
// JSON, and outside them the bytes pass through unchanged. Every decoded form is shorter than its
// escape, so the total output never exceeds the total input.
class JsonUnescapeState {
 public:
  // Longest escape prefix held between writes: "\uD83D\uDE0".
  static constexpr std::size_t kMaxHeld = 11;
  // Writes decoded bytes to out[0..] (capacity >= in.size() + kMaxHeld: bytes held from earlier
  // writes may be emitted verbatim); returns bytes written. Runs without '\' are found with
  // memchr and copied in bulk. REQUIRES: `out` does not overlap `in`.
  std::size_t Decode(std::string_view in, char* out);
  // A pending partial escape ("\", "\u00", a high surrogate awaiting its pair) is emitted
  // verbatim (at most kMaxHeld bytes); the state is then reset.
  std::size_t Flush(char* out);
  void Reset() { held_ = 0; }
  // Whether `in` would come out unchanged: no escape held and no backslash in it (most JSON
  // bodies; the caller then passes `in` on without a copy).
  bool PassesThrough(std::string_view in) const {
    return held_ == 0 && std::memchr(in.data(), '\\', in.size()) == nullptr;
  }

 private:
  // Processes one byte while an escape is held; appends to out + *n.
  void Step(char c, char* out, std::size_t* n);
  // held_ == 6: the escape \uXXXX in buf_ is complete; decode it, keep it verbatim or hold a
  // high surrogate.
  void ResolveOne(char* out, std::size_t* n);

  char buf_[12];
  std::size_t held_ = 0;  // bytes of buf_ in use: 0 means no escape in progress
};

}  // namespace vigie::app::http
