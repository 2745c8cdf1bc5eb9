#include "app/mime/mime_header.h"

#include <array>

#include "app/mime/mime_decoders.h"

namespace vigie::app::mime {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

namespace {
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// One file-name parameter family: plain "filename", extended "filename*", continuations
// "filename*N" / "filename*N*" (RFC 2231 section 3). At most kSegments continuations are kept.
constexpr std::size_t kSegments = 16;
struct NameParam {
  std::string plain;
  std::string extended;
  std::array<std::string, kSegments> segments;
  bool has_segments = false;
  std::string Result() const {
    if (!extended.empty()) return extended;
    if (has_segments) {
      std::string out;
      for (const auto& s : segments) out += s;
      return out;
    }
    return plain;
  }
};

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// "utf-8'fr'caf%C3%A9" → "café" (bytes kept as sent; no charset conversion).
std::string DecodeExtended(std::string_view v) {
  std::size_t q1 = v.find('\'');
  if (q1 != std::string_view::npos) {
    std::size_t q2 = v.find('\'', q1 + 1);
    if (q2 != std::string_view::npos) v.remove_prefix(q2 + 1);
  }
  return PercentDecode(v);
}

void AddNameParam(NameParam& p, std::string_view suffix, std::string_view value) {
  // suffix is what follows the base name: "", "*", "*0", "*0*", ...
  if (suffix.empty()) {
    p.plain.assign(value);
    return;
  }
  if (suffix == "*") {
    p.extended = DecodeExtended(value);
    return;
  }
  suffix.remove_prefix(1);
  bool encoded = !suffix.empty() && suffix.back() == '*';
  if (encoded) suffix.remove_suffix(1);
  if (suffix.empty() || suffix.size() > 2) return;
  std::size_t n = 0;
  for (char c : suffix) {
    if (c < '0' || c > '9') return;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  if (n >= kSegments) return;
  p.has_segments = true;
  if (!encoded) {
    p.segments[n].assign(value);
  } else {
    p.segments[n] = n == 0 ? DecodeExtended(value) : PercentDecode(value);
  }
}

std::string SafeName(std::string s) {
  if (s.size() > kMaxFilename) s.resize(kMaxFilename);
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s;
}
}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

ParsedHeader ParseHeaderValue(std::string_view value) {
  ParsedHeader out;
  std::size_t semi = value.find(';');
  out.value = ToLower(TrimBlanks(value.substr(0, semi)));
  NameParam filename, name;
  std::size_t pos = semi == std::string_view::npos ? value.size() : semi + 1;
  while (pos < value.size()) {
    std::size_t eq = value.find_first_of("=;", pos);
    if (eq == std::string_view::npos) break;
    if (value[eq] == ';') {  // parameter without a value
      pos = eq + 1;
      continue;
    }
    std::string pname = ToLower(TrimBlanks(value.substr(pos, eq - pos)));
    pos = eq + 1;
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\t')) ++pos;
    std::string pval;
    if (pos < value.size() && value[pos] == '"') {
      ++pos;
      while (pos < value.size() && value[pos] != '"') {
        if (value[pos] == '\\' && pos + 1 < value.size()) ++pos;
        pval.push_back(value[pos++]);
      }
      pos = value.find(';', pos);
      pos = pos == std::string_view::npos ? value.size() : pos + 1;
    } else {
      std::size_t end = value.find(';', pos);
      if (end == std::string_view::npos) end = value.size();
      pval.assign(TrimBlanks(value.substr(pos, end - pos)));
      pos = end + 1;
    }
    std::string_view pn = pname;
    if (pn == "boundary") {
      out.boundary = std::move(pval);
    } else if (pn == "charset") {
      out.charset = ToLower(pval);
    } else if (pn.starts_with("filename") && (pn.size() == 8 || pn[8] == '*')) {
      AddNameParam(filename, pn.substr(8), pval);
    } else if (pn.starts_with("name") && (pn.size() == 4 || pn[4] == '*')) {
      AddNameParam(name, pn.substr(4), pval);
    }
  }
  out.filename = SafeName(filename.Result());
  out.name = SafeName(name.Result());
  return out;
}

}  // namespace vigie::app::mime
