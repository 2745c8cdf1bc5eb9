#include "app/json_text.h"

#include <array>
#include <cstring>

#include "core/text.h"

namespace vigie::app {

bool IsJsonMediaType(std::string_view t) {
  t = TrimAny(t, " \t\r");
  if (IEquals(t, "application/json") || IEquals(t, "text/json") || IEquals(t, "application/x-ndjson") ||
      IEquals(t, "application/ndjson") || IEquals(t, "application/jsonl") || IEquals(t, "application/x-jsonlines"))
    return true;
  constexpr std::string_view kSuffix = "+json";
  return IStartsWith(t, "application/") && t.size() > 12 + kSuffix.size() &&
         IEndsWith(t, kSuffix);
}

bool MayBeUnlabelledJson(std::string_view t) {
  t = TrimAny(t, " \t\r");
  return t.empty() || IEquals(t, "text/html") || IEquals(t, "text/plain") || IEquals(t, "text/javascript") ||
         IEquals(t, "application/javascript") || IEquals(t, "application/x-javascript") ||
         IEquals(t, "application/octet-stream");
}

JsonSniff::Verdict JsonSniff::Feed(std::string_view bytes) {
  static constexpr unsigned char kBom[3] = {0xef, 0xbb, 0xbf};
  for (std::size_t i = 0; i < bytes.size() && verdict_ == Verdict::kUndecided; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (!any_ && bom_ < 3 && c == kBom[bom_]) {
      ++bom_;
      continue;
    }
    if (bom_ != 0 && bom_ < 3) {  // a byte-order mark cut short: not text this sniff reads
      verdict_ = Verdict::kNotJson;
      break;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      any_ = true;
      continue;
    }
    verdict_ = c == '{' || c == '[' ? Verdict::kJson : Verdict::kNotJson;
  }
  return verdict_;
}

bool IsJsonFileName(std::string_view filename) {
  return IEndsWith(filename, ".json") || IEndsWith(filename, ".jsonl") || IEndsWith(filename, ".ndjson");
}

bool IsJsonPart(std::string_view content_type, std::string_view filename) {
  return IsJsonMediaType(content_type) || IsJsonFileName(filename);
}

bool JsonUnescaper::Begin(std::string_view content_type, std::string_view filename) {
  decoder_.Reset();
  active_ = IsJsonPart(content_type, filename);
  sniffing_ = !active_ && MayBeUnlabelledJson(content_type);
  sniff_.Reset();
  return active_ || sniffing_;
}

namespace {

// Hex digit values, -1 for other bytes (a table: \uXXXX decoding is the hot loop of escaped
// bodies).
constexpr std::array<std::int8_t, 256> kHexTable = [] {
  std::array<std::int8_t, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(HexValue(static_cast<char>(c)));
  return t;
}();

// The code point of 4 hex digits, or -1.
int Hex4(const char* p) {
  const auto h = [p](int i) { return static_cast<int>(kHexTable[static_cast<unsigned char>(p[i])]); };
  const int a = h(0), b = h(1), c = h(2), d = h(3);
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

bool IsHighSurrogate(int cp) { return cp >= 0xD800 && cp <= 0xDBFF; }
bool IsLowSurrogate(int cp) { return cp >= 0xDC00 && cp <= 0xDFFF; }

// A \uXXXX that cannot change the JSON's structure once decoded: not a control character (it
// would break a string or a line), not '"' nor '\' (they would end a string or start an escape),
// not a surrogate (those decode only as a pair).
bool DecodableBmp(int cp) { return cp >= 0x20 && cp != 0x22 && cp != 0x5C && (cp < 0xD800 || cp > 0xDFFF); }

// The code point of a surrogate pair.
std::uint32_t FromSurrogates(int hi, int lo) {
  return static_cast<std::uint32_t>(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
}

std::size_t EncodeUtf8(std::uint32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// A complete escape \uXXXX (its 6 bytes; cp >= 0, not a high surrogate) appended to out:
// decoded, or verbatim when decoding it could change the document's structure.
std::size_t DecodeEscape(int cp, const char* escape, char* out) {
  if (DecodableBmp(cp)) return EncodeUtf8(static_cast<std::uint32_t>(cp), out);
  std::memcpy(out, escape, 6);
  return 6;
}

}  // namespace

std::size_t JsonUnescapeState::Decode(std::string_view in, char* out) {
  const char* p = in.data();
  const char* const end = p + in.size();
  std::size_t n = 0;
  while (p < end) {
    if (held_ != 0) {
      Step(*p++, out, &n);
      continue;
    }
    const void* bs = std::memchr(p, '\\', static_cast<std::size_t>(end - p));
    const char* stop = bs != nullptr ? static_cast<const char*>(bs) : end;
    std::memcpy(out + n, p, static_cast<std::size_t>(stop - p));
    n += static_cast<std::size_t>(stop - p);
    p = stop;
    if (p == end) break;
    // p is at a backslash: complete escapes inside this write are decoded here; the rest
    // (cut by the end of the write, surrogates, malformed) goes byte by byte through Step.
    if (end - p >= 6 && p[1] == 'u') {
      const int cp = Hex4(p + 2);
      if (IsHighSurrogate(cp) && end - p >= 12 && p[6] == '\\' && p[7] == 'u') {
        const int lo = Hex4(p + 8);
        if (IsLowSurrogate(lo)) {
          n += EncodeUtf8(FromSurrogates(cp, lo), out + n);
          p += 12;
          continue;
        }
      } else if (cp >= 0 && !IsHighSurrogate(cp)) {  // a lone low surrogate is kept verbatim
        n += DecodeEscape(cp, p, out + n);
        p += 6;
        continue;
      }
    } else if (end - p >= 2 && p[1] != 'u') {
      if (p[1] == '/') {
        out[n++] = '/';
      } else {  // \" \\ \n … and anything else: kept, and the escaped byte is consumed with it
        out[n++] = '\\';
        out[n++] = p[1];
      }
      p += 2;
      continue;
    }
    buf_[0] = '\\';
    held_ = 1;
    ++p;
  }
  return n;
}

void JsonUnescapeState::ResolveOne(char* out, std::size_t* n) {
  const int cp = Hex4(buf_ + 2);
  if (IsHighSurrogate(cp)) return;  // held until we know whether a low surrogate follows
  *n += DecodeEscape(cp, buf_, out + *n);
  held_ = 0;
}

void JsonUnescapeState::Step(char c, char* out, std::size_t* n) {
  switch (held_) {
    case 1:  // "\"
      if (c == 'u') {
        buf_[held_++] = c;
        return;
      }
      if (c == '/') {
        out[(*n)++] = '/';
      } else {
        out[(*n)++] = '\\';
        out[(*n)++] = c;
      }
      held_ = 0;
      return;
    case 2: case 3: case 4: case 5:    // "\u" + 0..3 hex digits
    case 8: case 9: case 10: case 11:  // high surrogate + "\u" + 0..3 hex digits
      if (HexValue(c) < 0) break;      // malformed: all held bytes verbatim
      buf_[held_++] = c;
      if (held_ == 6) {
        ResolveOne(out, n);
      } else if (held_ == 12) {
        const int lo = Hex4(buf_ + 8);
        if (IsLowSurrogate(lo)) {
          *n += EncodeUtf8(FromSurrogates(Hex4(buf_ + 2), lo), out + *n);
          held_ = 0;
        } else {  // the high surrogate is lone; the second escape stands on its own
          std::memcpy(out + *n, buf_, 6);
          *n += 6;
          std::memmove(buf_, buf_ + 6, 6);
          held_ = 6;
          ResolveOne(out, n);
        }
      }
      return;
    case 6:  // a high surrogate
      if (c == '\\') {
        buf_[held_++] = c;
        return;
      }
      break;
    case 7:  // a high surrogate + "\"
      if (c == 'u') {
        buf_[held_++] = c;
        return;
      }
      // The surrogate is lone; the backslash escapes `c` (e.g. "\\", "\/").
      std::memcpy(out + *n, buf_, 6);
      *n += 6;
      held_ = 1;
      Step(c, out, n);
      return;
    default:
      break;
  }
  std::memcpy(out + *n, buf_, held_);
  *n += held_;
  held_ = 0;
  if (c == '\\') {
    buf_[0] = c;
    held_ = 1;
  } else {
    out[(*n)++] = c;
  }
}

std::size_t JsonUnescapeState::Flush(char* out) {
  std::memcpy(out, buf_, held_);
  const std::size_t n = held_;
  held_ = 0;
  return n;
}

}  // namespace vigie::app
