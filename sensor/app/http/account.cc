#include "app/http/account.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/http/http_util.h"

namespace vigie::app::http {

namespace {
// Keeps account strings printable and short: they end up in alerts and JSON.
std::string Sanitize(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 128))
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
  return out;
}
}  // namespace

std::optional<std::string> BasicUser(std::string_view v) {
  v = Trim(v);
  if (!IStartsWith(v, "basic ")) return std::nullopt;
  auto decoded = Base64Decode(Trim(v.substr(6)));
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  return Sanitize(std::string_view(*decoded).substr(0, colon));
}

std::optional<std::string> JwtClaim(std::string_view token, std::string_view claim) {
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  auto payload = Base64Decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return std::nullopt;
  const auto json = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  const auto it = json.find(std::string(claim));
  if (it == json.end()) return std::nullopt;
  if (it->is_string()) return Sanitize(it->get_ref<const std::string&>());
  if (it->is_number_integer()) return it->dump();
  return std::nullopt;
}

std::string MaskedToken(std::string_view name, std::string_view value, const KeyedHasher* hasher) {
  const std::uint64_t h = hasher ? (*hasher)(value) : Hash64(value);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  std::string out = Sanitize(name);
  out += ':';
  out += Sanitize(value.substr(0, 4));
  out += "\xE2\x80\xA6#";  // "…"
  out += hex;
  return out;
}

std::string ExtractAccount(const HttpHead& req, const AppConfig& config, const KeyedHasher* hasher) {
  const std::string_view auth = Trim(req.Get("authorization"));
  if (!auth.empty()) {
    if (auto user = BasicUser(auth)) return *user;
    if (IStartsWith(auth, "bearer ")) {
      const std::string_view token = Trim(auth.substr(7));
      if (auto sub = JwtClaim(token, config.jwt_claim); sub && !sub->empty()) return *sub;
      if (!token.empty()) return MaskedToken("bearer", token, hasher);
    }
  }
  for (const auto& name : config.account_headers) {
    const std::string_view v = Trim(req.Get(name));
    if (!v.empty()) return MaskedToken(name, v, hasher);
  }
  if (!config.account_cookies.empty()) {
    for (std::size_t i = 0; i < req.count; ++i) {
      if (!IEquals(req.fields[i].name, "cookie")) continue;
      std::string_view rest = req.fields[i].value;
      while (!rest.empty()) {
        const auto semi = rest.find(';');
        const std::string_view pair = Trim(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = Trim(pair.substr(0, eq)), value = Trim(pair.substr(eq + 1));
        if (value.empty()) continue;
        for (const auto& want : config.account_cookies)
          if (name == want) return MaskedToken(want, value, hasher);
      }
    }
  }
  return {};
}

namespace {
std::optional<IpAddr> ParseHostAddr(std::string_view s) {
  s = Trim(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '[') {  // [v6]:port
    const auto close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return IpAddr::Parse(s.substr(1, close - 1));
  }
  if (auto a = IpAddr::Parse(s)) return a;
  const auto colon = s.find(':');  // v4:port
  if (colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos)
    return IpAddr::Parse(s.substr(0, colon));
  return std::nullopt;
}
}  // namespace

std::optional<IpAddr> ForwardedClient(const HttpHead& req) {
  const std::string_view xff = req.Get("x-forwarded-for");
  if (!xff.empty()) {
    if (auto a = ParseHostAddr(xff.substr(0, xff.find(',')))) return a;
  }
  const std::string_view real = req.Get("x-real-ip");
  if (!real.empty()) return ParseHostAddr(real);
  return std::nullopt;
}

}  // namespace vigie::app::http
