#pragma once
// Who is asking: the account behind an HTTP request and the client address behind a proxy.
// Never stores a secret: Basic passwords are dropped, tokens/cookies/custom headers become
// "<name>:<first 4 chars>…#<16-hex keyed hash>".
#include <optional>
#include <string>
#include <string_view>

#include "app/app_config.h"
#include "app/http/http_framer.h"
#include "core/hash.h"
#include "core/ip_addr.h"

namespace vigie::app::http {

// Order: Authorization (Basic user, Bearer JWT claim, else masked bearer token), then the
// configured headers, then the configured cookies. Empty when nothing applies.
// `hasher` may be null (tests): an unkeyed xxh3 is used then.
std::string ExtractAccount(const HttpHead& request, const AppConfig& config, const KeyedHasher* hasher);

// User part of an HTTP Basic credential ("Basic dXNlcjpwYXNz" → "user"); nullopt if malformed.
std::optional<std::string> BasicUser(std::string_view authorization_value);
// `claim` of a JWT's payload (string, or integer printed in decimal); nullopt if not a JWT.
std::optional<std::string> JwtClaim(std::string_view token, std::string_view claim);
// "<name>:<first 4 chars>…#<16-hex keyed hash of value>".
std::string MaskedToken(std::string_view name, std::string_view value, const KeyedHasher* hasher);
// First X-Forwarded-For address, else X-Real-IP; nullopt when absent or unparsable.
std::optional<IpAddr> ForwardedClient(const HttpHead& request);

}  // namespace vigie::app::http
