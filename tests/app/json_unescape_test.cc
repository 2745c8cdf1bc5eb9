// JsonUnescapeState: what is decoded, what is kept verbatim, and chunking independence against a
// plain reference decoder.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "app/http/http_util.h"

namespace vigie::app::http {
namespace {

// Feeds `in` in pieces of at most `piece` bytes (0: one write), then flushes.
std::string Unescape(std::string_view in, std::size_t piece = 0) {
  JsonUnescapeState st;
  std::string out;
  std::vector<char> buf;
  auto feed = [&](std::string_view part) {
    buf.assign(part.size() + JsonUnescapeState::kMaxHeld, '\0');
    const std::size_t n = st.Decode(part, buf.data());
    EXPECT_LE(n, buf.size());
    out.append(buf.data(), n);
  };
  if (piece == 0) {
    feed(in);
  } else {
    for (std::size_t i = 0; i < in.size(); i += piece) feed(in.substr(i, piece));
  }
  char tail[JsonUnescapeState::kMaxHeld];
  const std::size_t n = st.Flush(tail);
  out.append(tail, n);
  return out;
}

// Every two-way cut and 1-byte feeds give the same output as one write.
void ExpectChunkingInvariant(std::string_view in) {
  const std::string whole = Unescape(in);
  EXPECT_EQ(Unescape(in, 1), whole) << in;
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    JsonUnescapeState st;
    std::string out;
    std::vector<char> buf(in.size() + JsonUnescapeState::kMaxHeld);
    out.append(buf.data(), st.Decode(in.substr(0, cut), buf.data()));
    out.append(buf.data(), st.Decode(in.substr(cut), buf.data()));
    out.append(buf.data(), st.Flush(buf.data()));
    EXPECT_EQ(out, whole) << in << " cut at " << cut;
  }
}

// The rules written plainly over the whole string, for comparison.
std::string Reference(std::string_view s) {
  auto hex4 = [&](std::size_t i) -> long {
    if (i + 4 > s.size()) return -1;
    long v = 0;
    for (std::size_t k = i; k < i + 4; ++k) {
      const int h = HexValue(s[k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  };
  auto utf8 = [](unsigned long cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '\\') {
      out += s[i++];
      continue;
    }
    if (i + 1 == s.size()) {  // trailing lone backslash
      out += '\\';
      ++i;
      continue;
    }
    const char c = s[i + 1];
    if (c == '/') {
      out += '/';
      i += 2;
      continue;
    }
    if (c != 'u') {  // \" \\ \n … kept, the escaped byte with it
      out += s.substr(i, 2);
      i += 2;
      continue;
    }
    const long cp = hex4(i + 2);
    if (cp < 0) {  // malformed: "\u" kept, what follows read afresh
      out += "\\u";
      i += 2;
      continue;
    }
    const bool high = cp >= 0xD800 && cp <= 0xDBFF, low = cp >= 0xDC00 && cp <= 0xDFFF;
    if (high && i + 12 <= s.size() && s[i + 6] == '\\' && s[i + 7] == 'u') {
      const long lo = hex4(i + 8);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        utf8(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), out);
        i += 12;
        continue;
      }
    }
    if (high || low || cp < 0x20 || cp == 0x22 || cp == 0x5C) {
      out += s.substr(i, 6);
    } else {
      utf8(static_cast<unsigned long>(cp), out);
    }
    i += 6;
  }
  return out;
}

TEST(JsonUnescape, PlainTextPassesThrough) {
  const std::string s = R"({"nom":"Dupont","naissance":"12/05/1985","ok":true})";
  EXPECT_EQ(Unescape(s), s);
  EXPECT_EQ(Unescape(""), "");
}

TEST(JsonUnescape, DecodesSlashAndNonStructuralCodePoints) {
  EXPECT_EQ(Unescape(R"("12\/05\/1985")"), "\"12/05/1985\"");
  EXPECT_EQ(Unescape(R"(12 all\u00e9e Jean Jaur\u00e8s)"), "12 all\xc3\xa9" "e Jean Jaur\xc3\xa8s");
  EXPECT_EQ(Unescape(R"(\u00C9)"), "\xc3\x89");                  // upper-case hex
  EXPECT_EQ(Unescape(R"(\u002B33 6 12 34 56 78)"), "+33 6 12 34 56 78");  // .NET escapes '+'
  EXPECT_EQ(Unescape(R"(\u003Cb\u003E \u0026 \u0027)"), "<b> & '");
  EXPECT_EQ(Unescape(R"(\u0020\u007F)"), " \x7f");                // 0x20 is the first decoded
  EXPECT_EQ(Unescape(R"(\u20AC)"), "\xe2\x82\xac");               // 3 bytes
  EXPECT_EQ(Unescape(R"(\uFFFF)"), "\xef\xbf\xbf");
  EXPECT_EQ(Unescape(R"(\uD83D\uDE00)"), "\xf0\x9f\x98\x80");     // surrogate pair: 4 bytes
  EXPECT_EQ(Unescape(R"(\udbff\udfff)"), "\xf4\x8f\xbf\xbf");
}

TEST(JsonUnescape, KeepsStructuralAndInvalidEscapesVerbatim) {
  for (const char* s : {R"(\")", R"(\\)", R"(\n)", R"(\t)", R"(\r)", R"(\b)", R"(\f)", R"(\u0000)", R"(\u000a)",
                        R"(\u001F)", R"(\u0022)", R"(\u005C)", R"(\u005c)", R"(\uD83D)", R"(\uDE00)",
                        R"(\uDE00\uD83D)", R"(\uD83Dx)", R"(\uD83D\n)", R"(\uD83D\u0041)", R"(\u12)", R"(\u12")",
                        R"(\uZZZZ)", R"(\u)", R"(\x)", R"(\)", R"(a\)", R"(\uD83D\)", R"(\uD83D\u)",
                        R"(\uD83D\uDE0)", R"(\uD83D\uDE0x)"}) {
    std::string want = s;
    if (want == R"(\uD83D\u0041)") want = R"(\uD83DA)";  // the lone surrogate kept, 'A' decoded
    EXPECT_EQ(Unescape(s), want) << s;
    EXPECT_EQ(Unescape(s, 1), want) << s;
  }
}

TEST(JsonUnescape, EscapedBackslashIsNotTheStartOfAnEscape) {
  EXPECT_EQ(Unescape(R"(\\u00e9)"), R"(\\u00e9)");
  EXPECT_EQ(Unescape(R"(\\\u00e9)"), "\\\\\xc3\xa9");
  EXPECT_EQ(Unescape(R"(\\/)"), R"(\\/)");
  EXPECT_EQ(Unescape(R"(\\\/)"), R"(\\/)");
  EXPECT_EQ(Unescape(R"(\uD83D\\uDE00)"), R"(\uD83D\\uDE00)");
  EXPECT_EQ(Unescape(R"(\u12\\u00e9)"), R"(\u12\\u00e9)");
  EXPECT_EQ(Unescape(R"(\"\u00e9)"), "\\\"\xc3\xa9");
  // The escape state carries across writes: "\\" split then "u00e9".
  EXPECT_EQ(Unescape(R"(\\u00e9)", 1), R"(\\u00e9)");
  EXPECT_EQ(Unescape(R"(x\\u00e9)", 2), R"(x\\u00e9)");
}

TEST(JsonUnescape, SurrogateEdgeCases) {
  EXPECT_EQ(Unescape(R"(\uD83D\uD83D\uDE00)"), "\\uD83D\xf0\x9f\x98\x80");  // lone high, then a pair
  EXPECT_EQ(Unescape(R"(\uD83D\u00e9)"), "\\uD83D\xc3\xa9");
  EXPECT_EQ(Unescape(R"(\uD83D\/)"), "\\uD83D/");
  EXPECT_EQ(Unescape(R"(\uD83D\u0022)"), R"(\uD83D\u0022)");
  EXPECT_EQ(Unescape(R"(\uD83D\u12\u00e9)"), "\\uD83D\\u12\xc3\xa9");
}

TEST(JsonUnescape, EverySplitGivesTheSameOutput) {
  for (const char* s :
       {R"({"date_naissance":"12\/05\/1985","adresse":"12 all\u00e9e Jean Jaur\u00e8s"})",
        R"("tel":"\u002B33 6 12 34 56 78")", R"(\uD83D\uDE00 \uD83D\u00e9 \uD83D\\u00e9 \\u00e9 \\\u00e9)",
        R"(\u12\u00e9\uZZZZ\u0022\u005C\n\"\\\/\u001f\uDE00\uD83D)", R"(\uD83D\uD83D\uDE00\)"}) {
    ExpectChunkingInvariant(s);
    EXPECT_EQ(Unescape(s), Reference(s)) << s;
  }
}

TEST(JsonUnescape, RandomStringsMatchTheReference) {
  static constexpr char kAlphabet[] = {'\\', 'u', '/', '"', '0', '9', 'a', 'f', 'D', 'E', '8', 'x'};
  std::mt19937 rng(20240611);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s(rng() % 40, ' ');
    for (char& c : s) {
      // Backslash and 'u' more often, so that escapes and near-escapes are common.
      const unsigned r = rng() % 16;
      c = r < 3 ? '\\' : r < 5 ? 'u' : kAlphabet[rng() % sizeof kAlphabet];
    }
    const std::string want = Reference(s);
    ASSERT_EQ(Unescape(s), want) << s;
    ASSERT_EQ(Unescape(s, 1), want) << s;
    ASSERT_EQ(Unescape(s, 1 + rng() % 7), want) << s;
    ASSERT_LE(want.size(), s.size());
  }
  // Surrogate pairs need D8xx / DCxx digits, rare in the alphabet above: build them on purpose.
  static const char* kPieces[] = {R"(\uD83D)", R"(\uDE00)", R"(\udbff)", R"(\u00e9)", R"(\u0022)", R"(\\)",
                                  R"(\/)", R"(\u12)", "u", "\\", "x", "D8", R"(\u)"};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    for (int k = static_cast<int>(rng() % 8); k > 0; --k) s += kPieces[rng() % (sizeof kPieces / sizeof *kPieces)];
    const std::string want = Reference(s);
    ASSERT_EQ(Unescape(s), want) << s;
    ASSERT_EQ(Unescape(s, 1), want) << s;
    ASSERT_EQ(Unescape(s, 1 + rng() % 5), want) << s;
  }
}

TEST(JsonUnescape, ResetDropsAHeldEscape) {
  JsonUnescapeState st;
  char out[32];
  EXPECT_EQ(st.Decode(R"(ab\u00)", out), 2u);
  st.Reset();
  EXPECT_EQ(st.Decode("e9", out), 2u);
  EXPECT_EQ(std::string_view(out, 2), "e9");
  EXPECT_EQ(st.Flush(out), 0u);
}

TEST(JsonMediaType, RecognisesJsonTypes) {
  for (const char* t : {"application/json", "APPLICATION/JSON", "text/json", "application/problem+json",
                        "application/ld+json", "application/vnd.api+json", "application/x-ndjson",
                        "application/jsonl", " application/json "})
    EXPECT_TRUE(IsJsonMediaType(t)) << t;
  for (const char* t : {"text/plain", "application/javascript", "application/jsonp", "application/+json",
                        "text/x+json", "application/x-www-form-urlencoded", "", "application/json5"})
    EXPECT_FALSE(IsJsonMediaType(t)) << t;
}

TEST(JsonMediaType, TypesThatMayHideJson) {
  for (const char* t : {"", " ", "text/html", "TEXT/PLAIN", "text/javascript", "application/javascript",
                        "application/x-javascript", "application/octet-stream"})
    EXPECT_TRUE(MayBeUnlabelledJson(t)) << t;
  for (const char* t : {"application/json", "text/csv", "application/xml", "text/xml", "image/png", "multipart/mixed"})
    EXPECT_FALSE(MayBeUnlabelledJson(t)) << t;
}

// The verdict whatever the chunking: blanks and a leading byte-order mark wait, then '{' or '['
// is JSON and anything else is not; a byte-order mark cut short, or after a blank, is not.
TEST(JsonSniff, FirstSignificantByteDecides) {
  using V = JsonSniff::Verdict;
  const std::pair<std::string, V> cases[] = {
      {"{\"a\":1}", V::kJson},          {"[1,2]", V::kJson},
      {" \r\n\t[", V::kJson},           {"\xef\xbb\xbf{", V::kJson},
      {"\xef\xbb\xbf \n[", V::kJson},   {"  ", V::kUndecided},
      {"\xef\xbb", V::kUndecided},       {"", V::kUndecided},
      {"<html>", V::kNotJson},           {"nom;nir\n", V::kNotJson},
      {"\xef\xbb{", V::kNotJson},        {" \xef\xbb\xbf{", V::kNotJson},
      {"\"text\"", V::kNotJson},         {"\x01{", V::kNotJson}};
  for (const auto& [text, want] : cases) {
    for (std::size_t step : {text.size() + 1, std::size_t{1}, std::size_t{2}}) {
      JsonSniff s;
      for (std::size_t i = 0; i < text.size(); i += step) s.Feed(std::string_view(text).substr(i, step));
      EXPECT_EQ(s.verdict(), want) << text << " step " << step;
    }
  }
  JsonSniff s;
  s.Feed("<");
  s.Reset();
  EXPECT_EQ(s.Feed("{"), V::kJson);
}

}  // namespace
}  // namespace vigie::app::http
