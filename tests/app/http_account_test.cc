// Account attribution and client address from request headers.
#include "app/http/account.h"

#include <gtest/gtest.h>

#include "app/http/http_util.h"

namespace vigie::app::http {
namespace {

HttpHead Head(std::initializer_list<std::pair<std::string, std::string>> fields) {
  HttpHead h;
  h.is_request = true;
  for (const auto& [n, v] : fields) h.fields.push_back({n, v});
  h.count = h.fields.size();
  return h;
}

// base64url without padding, as JWTs use.
std::string B64Url(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(k[(acc >> bits) & 63]);
    }
  }
  if (bits) out.push_back(k[(acc << (6 - bits)) & 63]);
  return out;
}

TEST(HttpAccount, BasicUserOnly) {
  EXPECT_EQ(BasicUser("Basic YWxpY2U6czNjcjN0"), "alice");  // alice:s3cr3t
  EXPECT_EQ(BasicUser("basic  Ym9iOg=="), "bob");           // bob: (empty password)
  EXPECT_FALSE(BasicUser("Basic !!!!").has_value());
  EXPECT_FALSE(BasicUser("Basic bm9jb2xvbg==").has_value());  // "nocolon"
  AppConfig cfg;
  EXPECT_EQ(ExtractAccount(Head({{"Authorization", "Basic YWxpY2U6czNjcjN0"}}), cfg, nullptr), "alice");
}

TEST(HttpAccount, JwtClaim) {
  const std::string jwt = B64Url(R"({"alg":"HS256","typ":"JWT"})") + "." +
                          B64Url(R"({"sub":"capemploi-0042","uid":12345,"iat":1700000000})") + ".c2lnbmF0dXJl";
  EXPECT_EQ(JwtClaim(jwt, "sub"), "capemploi-0042");
  EXPECT_EQ(JwtClaim(jwt, "uid"), "12345");
  EXPECT_FALSE(JwtClaim(jwt, "missing").has_value());
  EXPECT_FALSE(JwtClaim("not-a-jwt", "sub").has_value());
  EXPECT_FALSE(JwtClaim("a." + B64Url("{broken json") + ".b", "sub").has_value());
  AppConfig cfg;
  EXPECT_EQ(ExtractAccount(Head({{"authorization", "Bearer " + jwt}}), cfg, nullptr), "capemploi-0042");
  cfg.jwt_claim = "uid";
  EXPECT_EQ(ExtractAccount(Head({{"authorization", "Bearer " + jwt}}), cfg, nullptr), "12345");
}

TEST(HttpAccount, OpaqueTokensAreMaskedAndKeyed) {
  KeyedHasher k1("one"), k2("two");
  AppConfig cfg;
  const auto a = ExtractAccount(Head({{"Authorization", "Bearer abcdefghijklmnop"}}), cfg, &k1);
  EXPECT_EQ(a.rfind("bearer:abcd\xE2\x80\xA6#", 0), 0u) << a;
  EXPECT_EQ(a.size(), std::string("bearer:abcd\xE2\x80\xA6#").size() + 16);
  EXPECT_EQ(a.find("efgh"), std::string::npos);  // never the full token
  EXPECT_NE(a, ExtractAccount(Head({{"Authorization", "Bearer abcdefghijklmnop"}}), cfg, &k2));
  EXPECT_EQ(a, ExtractAccount(Head({{"Authorization", "Bearer abcdefghijklmnop"}}), cfg, &k1));
}

TEST(HttpAccount, HeaderThenCookie) {
  AppConfig cfg;
  cfg.account_headers = {"X-User"};
  cfg.account_cookies = {"session"};
  EXPECT_EQ(ExtractAccount(Head({{"Cookie", "a=1; session=zzzz9999; b=2"}}), cfg, nullptr).rfind("session:zzzz", 0), 0u);
  EXPECT_EQ(ExtractAccount(Head({{"x-user", "u-77"}, {"Cookie", "session=q"}}), cfg, nullptr).rfind("X-User:u-77", 0), 0u);
  EXPECT_EQ(ExtractAccount(Head({{"Cookie", "other=1"}}), cfg, nullptr), "");
}

TEST(HttpAccount, ForwardedClient) {
  EXPECT_EQ(ForwardedClient(Head({{"X-Forwarded-For", " 198.51.100.7 , 10.0.0.1"}}))->ToString(), "198.51.100.7");
  EXPECT_EQ(ForwardedClient(Head({{"X-Forwarded-For", "198.51.100.7:5555"}}))->ToString(), "198.51.100.7");
  EXPECT_EQ(ForwardedClient(Head({{"X-Real-IP", "2001:db8::1"}}))->ToString(), "2001:db8::1");
  EXPECT_FALSE(ForwardedClient(Head({{"X-Forwarded-For", "unknown"}})).has_value());
  EXPECT_FALSE(ForwardedClient(Head({})).has_value());
}

TEST(HttpUtil, PercentDecodingStreamsAcrossChunks) {
  const std::string in = "a%40b+c%2x%%41%4";
  std::string whole;
  PercentDecodeAppend(in, true, &whole);
  EXPECT_EQ(whole, "a@b c%2x%A%4");
  PercentDecodeState st;
  std::string split;
  char buf[8];
  for (char c : in) split.append(buf, st.Decode(std::string_view(&c, 1), buf));
  split.append(buf, st.Flush(buf));
  EXPECT_EQ(split, whole);
  EXPECT_EQ(ParseContentLength(" 42 "), 42u);
  EXPECT_FALSE(ParseContentLength("4 2").has_value());
  EXPECT_FALSE(ParseContentLength("-1").has_value());
  EXPECT_FALSE(ParseContentLength("99999999999999999999").has_value());
}

}  // namespace
}  // namespace vigie::app::http
